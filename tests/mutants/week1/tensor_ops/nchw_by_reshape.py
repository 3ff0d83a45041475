"""Bug: to_float_nchw reshapes (N, H, W, C) to (N, C, H, W) instead of permuting the axes."""

from torch import Tensor

from solutions.week1.tensor_ops import *  # noqa: F403
from solutions.week1.tensor_ops import __all__  # noqa: F401


def to_float_nchw(images: Tensor) -> Tensor:
    if images.dtype.is_floating_point or images.ndim != 4:
        raise ValueError(f"expected uint8 (N, H, W, C), got {images.dtype}")
    n, h, w, c = images.shape
    return images.reshape(n, c, h, w).float().div(255).contiguous()
