"""Pill-safe data augmentation with torchvision transforms v2.

A pill's identity is its shape, colour(s), imprint and score line, so augmentation may change
everything a camera changes (angle, distance, tilt, light level, focus, sensor noise, JPEG) but
never the label-defining cues:

- any rotation is fine (pills lie at any angle), small perspective and scale changes too;
- brightness, contrast and mild saturation changes are fine, **hue is not** (a hue shift turns a
  yellow tablet orange, i.e. into another medication);
- **no flips**: a mirror image of an imprint ("L 10" mirrored) is something no real pill shows.

Both pipelines accept a PIL image, a ``(H, W, 3)`` uint8 array or a ``(3, H, W)`` / ``(N, 3, H, W)``
uint8 tensor, and return float32 normalised with :data:`MEAN` and :data:`STD`. Randomness comes
from torch's global generator: ``torch.manual_seed(s)`` before a call makes it reproducible. A
batched tensor gets the same random parameters for all its images.
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
    """Like ``v2.ToImage`` but also takes ``(H, W, 3)`` NumPy arrays and batched tensors."""

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
    """The random training pipeline, output ``(3, size, size)`` (or batched) float32, normalised.

    Geometric: random resized crop (area ``scale``, aspect 3/4..4/3), rotation by any angle,
    small perspective. Photometric: brightness/contrast/saturation jitter with ``hue=0``. Camera:
    Gaussian blur, JPEG re-compression, Gaussian noise (each sometimes). Never flips.
    """
    return v2.Compose(
        [
            _ToImage(),
            v2.RandomResizedCrop(size, scale=scale, ratio=(0.75, 4 / 3), antialias=True),
            v2.RandomRotation(180, interpolation=v2.InterpolationMode.BILINEAR),
            v2.RandomPerspective(distortion_scale=0.15, p=0.3),
            v2.ColorJitter(brightness=0.25, contrast=0.25, saturation=0.15, hue=0.0),
            v2.RandomApply([v2.GaussianBlur(3, sigma=(0.1, 1.0))], p=0.3),
            v2.RandomApply([v2.JPEG((50, 95))], p=0.3),
            v2.ToDtype(torch.float32, scale=True),
            v2.RandomApply([v2.GaussianNoise(sigma=0.02)], p=0.3),
            v2.Normalize(mean=list(mean), std=list(std)),
        ]
    )


def eval_transforms(
    size: int, *, mean: Sequence[float] = MEAN, std: Sequence[float] = STD
) -> v2.Compose:
    """The deterministic evaluation pipeline: resize to ``size`` x ``size``, scale, normalise."""
    return v2.Compose(
        [
            _ToImage(),
            v2.Resize((size, size), antialias=True),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(mean=list(mean), std=list(std)),
        ]
    )


def denormalize(x: Tensor, mean: Sequence[float] = MEAN, std: Sequence[float] = STD) -> Tensor:
    """Undo the normalisation: back to float images in about ``[0, 1]``."""
    shape = (3, 1, 1)
    return x * torch.tensor(std).view(shape) + torch.tensor(mean).view(shape)
