"""Bug: denormalize computes (x + mean) * std instead of x * std + mean."""

from collections.abc import Sequence

import torch
from torch import Tensor

from solutions.week1.tensor_ops import *  # noqa: F403
from solutions.week1.tensor_ops import __all__  # noqa: F401


def denormalize(x: Tensor, mean: Sequence[float] | Tensor, std: Sequence[float] | Tensor) -> Tensor:
    m = torch.as_tensor(mean, dtype=x.dtype).reshape(1, -1, 1, 1)
    s = torch.as_tensor(std, dtype=x.dtype).reshape(1, -1, 1, 1)
    return (x + m) * s
