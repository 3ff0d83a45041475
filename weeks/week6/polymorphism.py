"""Drill (20 min): polymorphism, overriding and overloading in Python.

The RxVision API receives images as file paths, uploaded bytes, PIL images or NumPy arrays. In
Java you would overload ``load_image`` four times; in Python a second ``def load_image`` simply
*replaces* the first. Python's tools for "overloading" are:

- ``functools.singledispatch``: one generic function, one implementation per argument type,
  chosen at run time from the type of the first argument; new types can be registered later,
  from anywhere (open for extension), without editing the function;
- ``typing.overload``: several *signatures* for type checkers (e.g. "a list in, a list out"),
  with one real implementation that dispatches at run time itself.

And *overriding*: subclasses replace one step (``preprocess``) while the algorithm around it
(``predict``) stays in the base class: the **template method** pattern.

Write:

1. ``load_image(source) -> np.ndarray``: an ``(H, W, 3)`` ``uint8`` RGB array [#rgb-uint8]
   that never shares memory with the input. [#copy] A ``@functools.singledispatch`` function
   with one registered implementation per type (so new types can be registered later).
   [#singledispatch]

   - ``np.ndarray``: must be ``uint8`` (else ``ValueError``) [#array-dtype]; shape ``(H, W)`` or
     ``(H, W, 1)`` (grey: repeat it into 3 channels), ``(H, W, 3)`` (copied) or ``(H, W, 4)``
     (drop alpha) [#array-channels]; any other shape: ``ValueError``. [#array-shape]
   - ``PIL.Image.Image``: ``image.convert("RGB")`` as an array (grey, palette and RGBA images
     too). [#pil]
   - ``bytes`` / ``bytearray``: an encoded image (PNG, JPEG, ...) opened with
     ``PIL.Image.open(io.BytesIO(...))`` [#bytes]; bytes PIL cannot identify as an image:
     ``ValueError``. [#bytes-invalid]
   - ``str`` and ``os.PathLike`` (``pathlib.Path``): a file path opened with ``Image.open``.
     [#path]
   - anything else: the base function raises ``TypeError`` whose message names the type it got
     (e.g. ``list``) and the supported ones. [#unsupported]

2. ``ImagePredictor(model, labels)``: ``model`` maps a preprocessed ``(C, H, W)`` float array to
   one logit per label.

   - ``preprocess(image)``: ``(H, W, 3)`` uint8 -> ``(3, H, W)`` ``float32`` in ``[0, 1]``
     (divide by 255). [#preprocess]
   - ``predict(x)``: ``load_image`` -> ``self.preprocess`` -> ``self.model`` -> softmax ->
     ``Prediction(label_of_max, its_probability)`` (``score`` a Python float; ties go to the
     first label; no overflow for logits in the thousands). [#predict] If ``x`` is a ``list``,
     return the list of predictions of its items (only a ``list`` is a batch). [#batch] Declare
     both signatures with ``@typing.overload`` (a list of sources -> ``list[Prediction]``; one
     source -> ``Prediction``) above the one real implementation. [#overload] Subclasses never
     override ``predict``. [#template]

3. Two subclasses that override only ``preprocess``, calling ``super().preprocess``:

   - ``NormalizedPredictor``: after the base step, per channel ``(x - MEAN) / STD`` with the
     ImageNet class attributes ``MEAN = (0.485, 0.456, 0.406)``,
     ``STD = (0.229, 0.224, 0.225)``. [#normalized]
   - ``CenterCropPredictor(model, labels, size)``: first crop the central ``size x size``
     square, ``top = (H - size) // 2``, ``left = (W - size) // 2``, then the base step.
     [#center-crop] An image smaller than ``size`` in either dimension raises ``ValueError``.
     [#crop-too-small]

Example::

    >>> load_image(b"\\x89PNG...").shape, load_image(np.zeros((4, 6), np.uint8)).shape
    ((32, 32, 3), (4, 6, 3))
    >>> load_image([1, 2])
    Traceback (most recent call last):
    TypeError: load_image cannot read a list; ...
    >>> p = CenterCropPredictor(model, ["round", "oval"], size=24)
    >>> p.predict("pill.png"), p.predict(["a.png", png_bytes])
    (Prediction(label='oval', score=0.91), [Prediction(...), Prediction(...)])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

__all__ = [
    "CenterCropPredictor",
    "ImagePredictor",
    "ImageSource",
    "NormalizedPredictor",
    "Prediction",
    "load_image",
]

ImageSource = str | os.PathLike | bytes | bytearray | Image.Image | np.ndarray


def load_image(source: object) -> np.ndarray:
    """An ``(H, W, 3)`` uint8 RGB array from a path, encoded bytes, a PIL image or an array.

    Raises:
        TypeError: an unsupported type (the message names it).
        ValueError: an array of the wrong dtype or shape, or bytes that are not an image.
    """
    # TODO: make this a functools.singledispatch function and register one implementation
    # per type (np.ndarray, Image.Image, bytes, bytearray, str, os.PathLike)
    raise NotImplementedError


@dataclass(frozen=True)
class Prediction:
    """A label and its softmax probability. (Given.)"""

    label: str
    score: float


class ImagePredictor:
    """``predict`` = load -> ``preprocess`` -> model -> softmax -> best label (template method)."""

    def __init__(self, model: Callable[[np.ndarray], np.ndarray], labels: Sequence[str]) -> None:
        # TODO
        raise NotImplementedError

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """``(H, W, 3)`` uint8 -> ``(3, H, W)`` float32 in ``[0, 1]``."""
        # TODO
        raise NotImplementedError

    # TODO: two @typing.overload signatures for predict (list -> list, one source -> Prediction)

    def predict(self, x: ImageSource | list[ImageSource]) -> Prediction | list[Prediction]:
        """One source -> a Prediction; a list of sources -> a list of Predictions."""
        # TODO
        raise NotImplementedError


class NormalizedPredictor(ImagePredictor):
    """Adds ImageNet mean/std normalisation after the base preprocessing."""

    MEAN = (0.485, 0.456, 0.406)
    STD = (0.229, 0.224, 0.225)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        # TODO: super().preprocess(image), then (x - MEAN) / STD per channel
        raise NotImplementedError


class CenterCropPredictor(ImagePredictor):
    """Crops the central ``size x size`` square before the base preprocessing."""

    def __init__(
        self, model: Callable[[np.ndarray], np.ndarray], labels: Sequence[str], size: int
    ) -> None:
        # TODO
        raise NotImplementedError

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        # TODO: crop, then super().preprocess(...)
        raise NotImplementedError
