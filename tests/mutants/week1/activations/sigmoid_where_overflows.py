"""Bug: sigmoid picks exp(-x) or exp(x) by torch.where; the unpicked branch overflows (nan grad)."""

import torch
from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401


def sigmoid(x: Tensor) -> Tensor:
    return torch.where(x >= 0, 1 / (1 + torch.exp(-x)), torch.exp(x) / (1 + torch.exp(x)))


def silu(x: Tensor) -> Tensor:
    return x * sigmoid(x)
