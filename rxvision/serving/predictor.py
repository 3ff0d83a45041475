"""What the API serves: anything with ``classes`` and ``predict_proba``, e.g. a torch model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
from PIL import Image

from rxvision.serving.schemas import Prediction

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = ["Predictor", "TorchPredictor", "model_name", "top_k"]


@runtime_checkable
class Predictor(Protocol):
    """A classifier the API can serve.

    Attributes:
        classes: class names; column ``j`` of :meth:`predict_proba` is ``classes[j]``.

    An optional ``name`` attribute names the model in responses (default: the class name).
    """

    classes: Sequence[str]

    def predict_proba(self, images: list[Image.Image]) -> np.ndarray:
        """Class probabilities of shape ``(len(images), len(classes))``; rows sum to 1."""
        ...


def model_name(predictor: Predictor) -> str:
    """``predictor.name`` when it has one, else its class name."""
    return str(getattr(predictor, "name", None) or type(predictor).__name__)


def top_k(probabilities: np.ndarray, classes: Sequence[str], k: int) -> list[Prediction]:
    """The ``k`` most probable classes of one row, most probable first (ties: lower index first).

    Raises:
        ValueError: the row does not have one probability per class.
    """
    row = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    if row.shape[0] != len(classes):
        raise ValueError(
            f"predictor returned {row.shape[0]} probabilities for {len(classes)} classes"
        )
    order = np.argsort(-row, kind="stable")[: max(0, k)]
    return [Prediction(label=classes[i], probability=float(row[i])) for i in order]


class TorchPredictor:
    """Serve a torch image classifier: RGB, resize, to tensor, softmax under inference mode.

    Args:
        model: a classifier mapping ``(N, 3, H, W)`` floats in [0, 1] (optionally normalised with
            ``mean``/``std``) to logits ``(N, C)``; it is put in eval mode.
        classes: class names, ``C`` of them (default: ``rxvision.data.CLASS_NAMES``).
        image_size: side of the square input the model expects.
        name: model name shown in responses (default: the model's class name).
        mean: per-channel mean subtracted after scaling to [0, 1] (default: none).
        std: per-channel standard deviation divided by (default: none).
        device: where to run the model.
    """

    def __init__(
        self,
        model: nn.Module,
        classes: Sequence[str] | None = None,
        image_size: int = 224,
        *,
        name: str | None = None,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        device: str = "cpu",
    ) -> None:
        import torch

        if classes is None:
            from rxvision.data import CLASS_NAMES

            classes = CLASS_NAMES
        self.classes: tuple[str, ...] = tuple(classes)
        self.image_size = int(image_size)
        self.name = name or type(model).__name__
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self._mean = None if mean is None else torch.tensor(mean).view(1, 3, 1, 1)
        self._std = None if std is None else torch.tensor(std).view(1, 3, 1, 1)

    def preprocess(self, images: list[Image.Image]) -> torch.Tensor:
        """A float batch ``(N, 3, image_size, image_size)`` in [0, 1] (then normalised)."""
        import torch

        size = (self.image_size, self.image_size)
        arrays = [
            np.asarray(image.convert("RGB").resize(size, Image.Resampling.BILINEAR), np.float32)
            for image in images
        ]
        batch = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).div_(255.0)
        if self._mean is not None:
            batch = batch - self._mean
        if self._std is not None:
            batch = batch / self._std
        return batch

    def predict_proba(self, images: list[Image.Image]) -> np.ndarray:
        """Softmax probabilities ``(len(images), len(classes))``, float64 rows summing to 1."""
        import torch

        if not images:
            return np.zeros((0, len(self.classes)))
        with torch.inference_mode():
            logits = self.model(self.preprocess(images).to(self.device))
            if logits.shape[-1] != len(self.classes):
                raise ValueError(
                    f"model returned {logits.shape[-1]} logits but there are {len(self.classes)} "
                    "classes: pass the class names the model was trained on"
                )
            probabilities = torch.softmax(logits.double(), dim=-1)
        return probabilities.cpu().numpy()
