"""Bug: gelu always computes the exact erf form, whatever approximate says."""

import math

import torch
from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
