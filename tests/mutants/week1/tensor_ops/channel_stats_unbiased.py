"""Bug: channel_stats returns the sample (n - 1) standard deviation instead of NumPy's."""

import torch
from torch import Tensor

from solutions.week1.tensor_ops import *  # noqa: F403
from solutions.week1.tensor_ops import __all__  # noqa: F401


def channel_stats(images: Tensor) -> tuple[Tensor, Tensor]:
    x = images.reshape(-1, images.shape[-1]).to(torch.float64).div(255)
    return x.mean(dim=0), x.std(dim=0)
