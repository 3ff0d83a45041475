"""Bug: sigmoid builds exp(-x.abs()); abs has gradient 0 at 0, so the gradient at 0 is 0."""

import torch
from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401


def sigmoid(x: Tensor) -> Tensor:
    z = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))


def silu(x: Tensor) -> Tensor:
    return x * sigmoid(x)
