"""Polymorphism in Python: overloading by type with ``singledispatch`` and ``@overload``,
overriding with a template method.

Reference solution of the drill ``week6.polymorphism`` (the prompt is the stub's docstring).
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
from PIL import Image, UnidentifiedImageError

__all__ = [
    "CenterCropPredictor",
    "ImagePredictor",
    "ImageSource",
    "NormalizedPredictor",
    "Prediction",
    "load_image",
]

ImageSource = str | os.PathLike | bytes | bytearray | Image.Image | np.ndarray


@functools.singledispatch
def load_image(source: object) -> np.ndarray:
    """An ``(H, W, 3)`` uint8 RGB array from a path, encoded bytes, a PIL image or an array."""
    raise TypeError(
        f"load_image cannot read a {type(source).__name__}; give a str or os.PathLike path, "
        "bytes/bytearray of an encoded image, a PIL.Image.Image or a uint8 numpy.ndarray"
    )


@load_image.register
def _from_array(source: np.ndarray) -> np.ndarray:
    if source.dtype != np.uint8:
        raise ValueError(f"expected a uint8 array, got {source.dtype} (scale and cast it first)")
    if source.ndim == 2:
        source = source[:, :, None]
    if source.ndim != 3 or source.shape[2] not in (1, 3, 4):
        raise ValueError(f"expected (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got {source.shape}")
    if source.shape[2] == 1:
        return np.repeat(source, 3, axis=2)
    return np.array(source[:, :, :3], copy=True, order="C")


@load_image.register
def _from_pil(source: Image.Image) -> np.ndarray:
    return np.array(source.convert("RGB"), dtype=np.uint8, copy=True)


@load_image.register(bytes)
@load_image.register(bytearray)
def _from_bytes(source: bytes | bytearray) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(bytes(source))) as image:
            return _from_pil(image)
    except UnidentifiedImageError as exc:
        raise ValueError(f"the bytes are not an image PIL can decode: {exc}") from exc


@load_image.register(str)
@load_image.register(os.PathLike)
def _from_path(source: str | os.PathLike[str]) -> np.ndarray:
    with Image.open(source) as image:
        return _from_pil(image)


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float


class ImagePredictor:
    """``predict`` = load -> ``preprocess`` -> model -> softmax -> best label (template method)."""

    def __init__(self, model: Callable[[np.ndarray], np.ndarray], labels: Sequence[str]) -> None:
        self.model = model
        self.labels = tuple(labels)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """``(H, W, 3)`` uint8 -> ``(3, H, W)`` float32 in ``[0, 1]``."""
        return (image.astype(np.float32) / 255.0).transpose(2, 0, 1)

    @overload
    def predict(self, x: list[ImageSource]) -> list[Prediction]: ...

    @overload
    def predict(self, x: ImageSource) -> Prediction: ...

    def predict(self, x: ImageSource | list[ImageSource]) -> Prediction | list[Prediction]:
        if isinstance(x, list):
            return [self.predict(item) for item in x]
        logits = np.asarray(self.model(self.preprocess(load_image(x))), dtype=np.float64)
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        best = int(np.argmax(probs))
        return Prediction(self.labels[best], float(probs[best]))


class NormalizedPredictor(ImagePredictor):
    """Adds ImageNet mean/std normalisation after the base preprocessing."""

    MEAN = (0.485, 0.456, 0.406)
    STD = (0.229, 0.224, 0.225)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        x = super().preprocess(image)
        mean = np.asarray(self.MEAN, dtype=np.float32)[:, None, None]
        std = np.asarray(self.STD, dtype=np.float32)[:, None, None]
        return (x - mean) / std


class CenterCropPredictor(ImagePredictor):
    """Crops the central ``size x size`` square before the base preprocessing."""

    def __init__(
        self, model: Callable[[np.ndarray], np.ndarray], labels: Sequence[str], size: int
    ) -> None:
        super().__init__(model, labels)
        self.size = size

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        height, width = image.shape[:2]
        if height < self.size or width < self.size:
            raise ValueError(f"image {height}x{width} is smaller than the crop {self.size}")
        top, left = (height - self.size) // 2, (width - self.size) // 2
        return super().preprocess(image[top : top + self.size, left : left + self.size])
