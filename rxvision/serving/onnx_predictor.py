"""Serve an ONNX classifier with ONNX Runtime: the fast, torch-free twin of ``TorchPredictor``.

Preprocessing is the same as :class:`rxvision.serving.predictor.TorchPredictor` (RGB, bilinear
resize with Pillow, scale to [0, 1], optional per-channel mean/std), done in NumPy, so both
predictors give the same probabilities for the same images. The session is created once, with
full graph optimisation and a chosen number of threads; long lists run in chunks of
``max_batch``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

__all__ = ["ImageInput", "OnnxPredictor"]

#: One image: a Pillow image (any mode) or a uint8 RGB array of shape ``(H, W, 3)``.
ImageInput = Image.Image | np.ndarray


class OnnxPredictor:
    """Classify images with an ONNX model through one ONNX Runtime session.

    Args:
        path: the ``.onnx`` file: input ``(N, 3, image_size, image_size)`` float32, output logits
            ``(N, C)``.
        classes: class names, ``C`` of them (default: ``rxvision.data.CLASS_NAMES``).
        image_size: side of the square input the model expects.
        name: model name shown in responses (default: the file's stem).
        mean: per-channel mean subtracted after scaling to [0, 1] (default: none).
        std: per-channel standard deviation divided by (default: none).
        threads: ``intra_op_num_threads`` of the session (default: ONNX Runtime's choice).
        max_batch: the largest batch sent to the session in one run.

    Raises:
        ValueError: the model's number of outputs differs from ``len(classes)``, or
            ``max_batch < 1``.
    """

    def __init__(
        self,
        path: str | Path,
        classes: Sequence[str] | None = None,
        image_size: int = 224,
        *,
        name: str | None = None,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        threads: int | None = None,
        max_batch: int = 32,
    ) -> None:
        if classes is None:
            from rxvision.data import CLASS_NAMES

            classes = CLASS_NAMES
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        self.classes: tuple[str, ...] = tuple(classes)
        self.image_size = int(image_size)
        self.name = name or Path(path).stem
        self.max_batch = int(max_batch)
        self._mean = None if mean is None else np.asarray(mean, np.float32).reshape(1, 3, 1, 1)
        self._std = None if std is None else np.asarray(std, np.float32).reshape(1, 3, 1, 1)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads is not None:
            options.intra_op_num_threads = int(threads)
        self.session = ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_name = self.session.get_inputs()[0].name
        outputs = self.session.get_outputs()[0].shape[-1]
        if isinstance(outputs, int) and outputs != len(self.classes):
            raise ValueError(
                f"the model returns {outputs} logits but there are {len(self.classes)} classes: "
                "pass the class names the model was trained on"
            )

    def _to_pil(self, image: ImageInput) -> Image.Image:
        if isinstance(image, Image.Image):
            return image
        if not isinstance(image, np.ndarray):
            raise TypeError(f"expected a PIL image or a uint8 array, got {type(image).__name__}")
        if image.dtype != np.uint8:
            raise TypeError(f"image arrays must be uint8 (0-255), got {image.dtype}")
        if image.ndim != 3 or image.shape[-1] != 3:
            raise ValueError(f"image arrays must be RGB (H, W, 3), got shape {image.shape}")
        return Image.fromarray(image)

    def preprocess(self, images: Sequence[ImageInput]) -> np.ndarray:
        """A float32 batch ``(N, 3, image_size, image_size)`` in [0, 1] (then normalised)."""
        size = (self.image_size, self.image_size)
        arrays = [
            np.asarray(
                self._to_pil(image).convert("RGB").resize(size, Image.Resampling.BILINEAR),
                np.float32,
            )
            for image in images
        ]
        batch = np.stack(arrays).transpose(0, 3, 1, 2) / np.float32(255.0)
        if self._mean is not None:
            batch = batch - self._mean
        if self._std is not None:
            batch = batch / self._std
        return np.ascontiguousarray(batch, dtype=np.float32)

    def predict_proba(self, images: Sequence[ImageInput]) -> np.ndarray:
        """Softmax probabilities ``(len(images), len(classes))``, float64 rows summing to 1."""
        images = list(images)
        if not images:
            return np.zeros((0, len(self.classes)))
        chunks = []
        for start in range(0, len(images), self.max_batch):
            batch = self.preprocess(images[start : start + self.max_batch])
            chunks.append(self.session.run(None, {self.input_name: batch})[0])
        logits = np.concatenate(chunks).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, images: Sequence[ImageInput], k: int = 5) -> list[list[tuple[str, float]]]:
        """The ``k`` most probable ``(class, probability)`` pairs per image, most probable first.

        Ties keep the lower class index first.
        """
        probabilities = self.predict_proba(images)
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, : max(0, k)]
        return [
            [(self.classes[j], float(row[j])) for j in idx]
            for row, idx in zip(probabilities, order, strict=True)
        ]
