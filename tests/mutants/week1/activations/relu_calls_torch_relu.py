"""Bug: relu calls torch.relu on the input instead of writing it (a ready-made activation)."""

import torch
from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401


def relu(x: Tensor) -> Tensor:
    return torch.relu(x)
