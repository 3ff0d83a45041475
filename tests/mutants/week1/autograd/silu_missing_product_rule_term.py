"""Bug: SiLU backward returns grad_out * sigmoid(x), dropping the x * s * (1 - s) term."""

from typing import Any

import torch
from torch import Tensor

from solutions.week1.autograd import *  # noqa: F403
from solutions.week1.autograd import __all__  # noqa: F401


class SiLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad_out * torch.sigmoid(x)


def silu(x: Tensor) -> Tensor:
    return SiLUFunction.apply(x)
