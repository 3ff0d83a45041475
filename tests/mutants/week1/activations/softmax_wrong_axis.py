"""Bug: softmax and log_softmax always normalise over dim 0, whatever dim is asked for."""

import torch
from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    e = torch.exp(x - x.amax(dim=0, keepdim=True))
    return e / e.sum(dim=0, keepdim=True)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    shifted = x - x.amax(dim=0, keepdim=True)
    return shifted - torch.log(torch.exp(shifted).sum(dim=0, keepdim=True))
