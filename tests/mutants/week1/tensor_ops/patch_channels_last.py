"""Bug: patchify flattens each patch as (row, column, channel) instead of (channel, row, column)."""

from torch import Tensor

from solutions.week1.tensor_ops import *  # noqa: F403
from solutions.week1.tensor_ops import __all__  # noqa: F401


def patchify(x: Tensor, patch_size: int) -> Tensor:
    n, c, h, w = x.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f"image size {h}x{w} is not divisible by patch_size {p}")
    x = x.reshape(n, c, h // p, p, w // p, p).permute(0, 2, 4, 3, 5, 1)
    return x.reshape(n, (h // p) * (w // p), c * p * p)
