"""Bug: log_softmax is log(softmax(x)), which is -inf where softmax underflows to 0."""

import torch
from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401
from solutions.week1.activations import softmax as _softmax


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    return torch.log(_softmax(x, dim=dim))
