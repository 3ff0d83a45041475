"""Bug: sigmoid is 1 / (1 + exp(-x)): right values, but nan gradients once exp(-x) overflows."""

import torch
from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401


def sigmoid(x: Tensor) -> Tensor:
    return 1 / (1 + torch.exp(-x))


def silu(x: Tensor) -> Tensor:
    return x * sigmoid(x)
