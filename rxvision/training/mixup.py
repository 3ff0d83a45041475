"""Batch-level MixUp and CutMix with soft (mixed one-hot) targets, and their loss.

MixUp (Zhang et al., ICLR 2018, https://arxiv.org/abs/1710.09412) blends whole images; CutMix
(Yun et al., ICCV 2019, https://arxiv.org/abs/1905.04899) pastes a box of the partner image and
weights the labels by the pasted area. Each sample ``i`` is paired with ``perm[i]`` for a random
permutation; the mixing weight ``lam`` is drawn from ``Beta(alpha, alpha)``.

Randomness comes from one ``numpy.random.Generator`` and is drawn in a fixed order (``lam``,
then the permutation, then the CutMix box centre), so a seed reproduces a batch exactly. The box
follows timm's ``rand_bbox``; the label weight is corrected for clipping as in timm and
``torchvision.transforms.v2.CutMix``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["cutmix", "mixup", "rand_box", "sample_lambda", "soft_target_cross_entropy"]


def sample_lambda(alpha: float, rng: np.random.Generator) -> float:
    """One draw of ``Beta(alpha, alpha)`` from ``rng`` (``ValueError`` unless ``alpha > 0``)."""
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    return float(rng.beta(alpha, alpha))


def _mixed_targets(
    labels: Tensor, perm: Tensor, lam: float, num_classes: int, like: Tensor
) -> Tensor:
    onehot = F.one_hot(labels, num_classes).to(like.dtype)
    return lam * onehot + (1 - lam) * onehot[perm]


def _check_batch(images: Tensor, labels: Tensor) -> None:
    if images.ndim != 4 or labels.shape != images.shape[:1]:
        raise ValueError(
            f"expected images (N, C, H, W) and labels (N,), got {tuple(images.shape)} and "
            f"{tuple(labels.shape)}"
        )


def mixup(
    images: Tensor,
    labels: Tensor,
    num_classes: int,
    alpha: float = 0.2,
    rng: np.random.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """``lam * x + (1 - lam) * x[perm]`` and ``lam * onehot(y) + (1 - lam) * onehot(y[perm])``."""
    _check_batch(images, labels)
    rng = np.random.default_rng() if rng is None else rng
    lam = sample_lambda(alpha, rng)
    perm = torch.from_numpy(rng.permutation(len(images)))
    mixed = lam * images + (1 - lam) * images[perm]
    return mixed, _mixed_targets(labels, perm, lam, num_classes, images)


def rand_box(
    height: int, width: int, lam: float, rng: np.random.Generator
) -> tuple[int, int, int, int]:
    """A CutMix box ``(y1, y2, x1, x2)`` of about ``(1 - lam)`` of the image, clipped to it.

    ``cut_h = int(height * sqrt(1 - lam))``, ``cut_w = int(width * sqrt(1 - lam))``; centre
    ``cy = rng.integers(height)`` then ``cx = rng.integers(width)``; edges ``cy -/+ cut_h // 2``
    and ``cx -/+ cut_w // 2`` clipped to ``[0, height]`` and ``[0, width]``.
    """
    ratio = float(np.sqrt(1.0 - lam))
    cut_h, cut_w = int(height * ratio), int(width * ratio)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    y1, y2 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, height)
    x1, x2 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, width)
    return y1, y2, x1, x2


def cutmix(
    images: Tensor,
    labels: Tensor,
    num_classes: int,
    alpha: float = 1.0,
    rng: np.random.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """Paste ``x[perm]``'s box into ``x``; weight the labels by the real pasted area."""
    _check_batch(images, labels)
    rng = np.random.default_rng() if rng is None else rng
    lam = sample_lambda(alpha, rng)
    perm = torch.from_numpy(rng.permutation(len(images)))
    height, width = images.shape[-2:]
    y1, y2, x1, x2 = rand_box(height, width, lam, rng)
    mixed = images.clone()
    mixed[:, :, y1:y2, x1:x2] = images[perm][:, :, y1:y2, x1:x2]
    lam = 1.0 - (y2 - y1) * (x2 - x1) / (height * width)
    return mixed, _mixed_targets(labels, perm, lam, num_classes, images)


def soft_target_cross_entropy(logits: Tensor, targets: Tensor) -> Tensor:
    """``(-targets * log_softmax(logits)).sum(-1).mean()``: cross-entropy with soft targets."""
    return torch.sum(-targets * F.log_softmax(logits, dim=-1), dim=-1).mean()
