"""Bug: crop reads corners as (left, top) instead of (top, left)."""

import torch
from torch import Tensor

from solutions.week1.tensor_ops import *  # noqa: F403
from solutions.week1.tensor_ops import __all__  # noqa: F401
from solutions.week1.tensor_ops import crop as _crop


def crop(images: Tensor, corners: Tensor, size: int) -> Tensor:
    return _crop(images, torch.flip(corners, dims=[1]), size)
