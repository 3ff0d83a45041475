"""Image-batch tensor manipulations without Python loops.

Reference solution of the drill ``week1.tensor_ops`` (the spec is the stub's docstrings).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = [
    "channel_stats",
    "crop",
    "denormalize",
    "normalize",
    "one_hot",
    "pairwise_sq_distances",
    "patchify",
    "pick",
    "to_float_nchw",
    "topk_accuracy",
    "unpatchify",
]


def _per_channel(values: Sequence[float] | Tensor, like: Tensor) -> Tensor:
    """``values`` as a ``(1, C, 1, 1)`` tensor with the dtype and device of ``like``."""
    return torch.as_tensor(values, dtype=like.dtype, device=like.device).reshape(1, -1, 1, 1)


def to_float_nchw(images: Tensor) -> Tensor:
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise ValueError(f"expected uint8 (N, H, W, C), got {images.dtype} {tuple(images.shape)}")
    return images.permute(0, 3, 1, 2).float().div(255).contiguous()


def normalize(x: Tensor, mean: Sequence[float] | Tensor, std: Sequence[float] | Tensor) -> Tensor:
    return (x - _per_channel(mean, x)) / _per_channel(std, x)


def denormalize(x: Tensor, mean: Sequence[float] | Tensor, std: Sequence[float] | Tensor) -> Tensor:
    return x * _per_channel(std, x) + _per_channel(mean, x)


def channel_stats(images: Tensor) -> tuple[Tensor, Tensor]:
    x = images.reshape(-1, images.shape[-1]).double().div(255)
    mean = x.mean(dim=0)
    std = (x.square().mean(dim=0) - mean.square()).clamp_min(0).sqrt()
    return mean, std


def patchify(x: Tensor, patch_size: int) -> Tensor:
    n, c, h, w = x.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f"image size {h}x{w} is not divisible by patch_size {p}")
    x = x.reshape(n, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(n, (h // p) * (w // p), c * p * p)


def unpatchify(patches: Tensor, patch_size: int, height: int, width: int) -> Tensor:
    n, length, dim = patches.shape
    p = patch_size
    if height % p or width % p or length != (height // p) * (width // p) or dim % (p * p):
        raise ValueError(
            f"{length} patches of {dim} values do not tile a {height}x{width} image with "
            f"patch_size {p}"
        )
    c = dim // (p * p)
    x = patches.reshape(n, height // p, width // p, c, p, p).permute(0, 3, 1, 4, 2, 5)
    return x.reshape(n, c, height, width)


def one_hot(labels: Tensor, num_classes: int) -> Tensor:
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in [0, {num_classes}), got {labels.min()}..{labels.max()}"
        )
    classes = torch.arange(num_classes, device=labels.device)
    return (labels.unsqueeze(-1) == classes).float()


def pick(scores: Tensor, index: Tensor) -> Tensor:
    return scores.gather(1, index.unsqueeze(1)).squeeze(1)


def topk_accuracy(logits: Tensor, labels: Tensor, k: int = 1) -> float:
    top = logits.topk(k, dim=1).indices
    return (top == labels.unsqueeze(1)).any(dim=1).float().mean().item()


def crop(images: Tensor, corners: Tensor, size: int) -> Tensor:
    n, _, h, w = images.shape
    top, left = corners[:, 0], corners[:, 1]
    if (top < 0).any() or (left < 0).any() or (top + size > h).any() or (left + size > w).any():
        raise ValueError(f"every {size}x{size} window must lie inside the {h}x{w} images")
    offsets = torch.arange(size, device=images.device)
    rows = (top[:, None] + offsets)[:, None, :, None]  # (N, 1, size, 1)
    cols = (left[:, None] + offsets)[:, None, None, :]  # (N, 1, 1, size)
    batch = torch.arange(n, device=images.device)[:, None, None, None]
    channels = torch.arange(images.shape[1], device=images.device)[None, :, None, None]
    return images[batch, channels, rows, cols]


def pairwise_sq_distances(a: Tensor, b: Tensor) -> Tensor:
    sq = a.square().sum(1)[:, None] + b.square().sum(1)[None, :] - 2 * a @ b.T
    return sq.clamp_min(0)
