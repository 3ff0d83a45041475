"""Pill-safe data augmentation with torchvision transforms v2.

A pill is identified by its shape, colour(s), imprint and score line. Augmentation may change
everything a camera changes (angle, distance, tilt, light level, focus, sensor noise, JPEG) but
never a label-defining cue:

- any rotation is fine (pills lie at any angle); small perspective and scale changes too;
  [#rotation]
- brightness, contrast and mild saturation changes are fine, **hue is not**: a hue shift turns a
  yellow tablet orange, i.e. into another medication; [#no-hue]
- **no flips** (horizontal or vertical): a mirrored imprint ("L 10" backwards) is something no
  real pill shows, so the model would learn from impossible images. [#no-flip]

Use ``torchvision.transforms.v2`` (``from torchvision.transforms import v2``). Both pipelines
start with the given ``_ToImage()`` (it accepts a PIL image, an ``(H, W, 3)`` uint8 NumPy array,
or a ``(3, H, W)`` / ``(N, 3, H, W)`` uint8 tensor; any height and width) [#inputs] and end
with ``v2.ToDtype(torch.float32, scale=True)`` (uint8 0..255 -> float 0..1) [#scaled] and
``v2.Normalize(mean, std)``. [#normalize] Randomness comes from torch's global generator, so
``torch.manual_seed(s)`` before a call makes it reproducible. [#seeded] A batched tensor gets the
same random parameters for all its images. [#batch-same]

``rxvision train`` uses these pipelines (in chunks of images) to train the reference model.

Given (do not change): ``MEAN``, ``STD``, ``_ToImage`` and ``denormalize``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor
from torchvision.transforms import v2

__all__ = ["MEAN", "STD", "denormalize", "eval_transforms", "train_transforms"]

#: ImageNet channel statistics, the convention of timm and torchvision models.
MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
STD: tuple[float, float, float] = (0.229, 0.224, 0.225)


class _ToImage(v2.Transform):
    """Like ``v2.ToImage``, also for ``(H, W, 3)`` NumPy arrays and batched tensors (given)."""

    def forward(self, x: object) -> Tensor:  # type: ignore[override]
        if isinstance(x, np.ndarray):
            x = torch.from_numpy(np.ascontiguousarray(x)).permute(2, 0, 1)
        if isinstance(x, Tensor):
            return v2.functional.to_image(x) if x.ndim == 3 else x.as_subclass(Tensor)
        return v2.functional.to_image(x)


def train_transforms(
    size: int,
    *,
    scale: tuple[float, float] = (0.8, 1.0),
    mean: Sequence[float] = MEAN,
    std: Sequence[float] = STD,
) -> v2.Compose:
    """The random training pipeline.

    In this order: ``_ToImage()``; geometric: ``RandomResizedCrop`` to ``size`` x ``size`` (area
    fraction ``scale`` [#scale], aspect ratio 3/4..4/3, antialiased), ``RandomRotation`` by any
    angle (180 degrees either way), a mild ``RandomPerspective`` (distortion ~0.15, sometimes);
    photometric: ``ColorJitter`` of brightness, contrast and a little saturation with
    ``hue=0``; camera: Gaussian blur, JPEG re-compression (quality 50..95) on uint8, then
    ``ToDtype(float32, scale=True)``, Gaussian noise (sigma ~0.02) on floats, each applied only
    sometimes (``v2.RandomApply([...], p=0.3)``); finally ``Normalize(mean, std)``.
    [#train-order]

    Returns:
        A ``v2.Compose`` mapping an image to a float32 tensor ``(3, size, size)`` (or
        ``(N, 3, size, size)`` for a batch), normalised. [#train-shape] The grader checks shapes,
        dtypes and value ranges, that the same seed gives the same output and different seeds
        differ, that the hue of coloured pills survives, and that images are never mirrored.
    """
    # TODO: build and return the v2.Compose described above.
    raise NotImplementedError


def eval_transforms(
    size: int, *, mean: Sequence[float] = MEAN, std: Sequence[float] = STD
) -> v2.Compose:
    """The deterministic evaluation pipeline: resize, scale to [0, 1], normalise.

    ``_ToImage()``, ``Resize((size, size), antialias=True)`` (the whole photo, no crop: pills sit
    near the centre and fill most of it), ``ToDtype(float32, scale=True)``,
    ``Normalize(mean, std)``. [#eval-pipeline] Nothing random [#eval-deterministic]: the grader
    compares your output with torchvision's functional ``resize``, ``to_dtype`` and ``normalize``
    applied by hand.
    """
    # TODO
    raise NotImplementedError


def denormalize(x: Tensor, mean: Sequence[float] = MEAN, std: Sequence[float] = STD) -> Tensor:
    """Undo the normalisation: back to float images in about ``[0, 1]`` (given)."""
    shape = (3, 1, 1)
    return x * torch.tensor(std).view(shape) + torch.tensor(mean).view(shape)
