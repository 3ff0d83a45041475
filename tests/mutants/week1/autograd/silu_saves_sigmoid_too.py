"""Bug: SiLU saves both x and sigmoid(x): correct gradients, twice the activation memory."""

from typing import Any

import torch
from torch import Tensor

from solutions.week1.autograd import *  # noqa: F403
from solutions.week1.autograd import __all__  # noqa: F401


class SiLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        s = torch.sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> Tensor:
        x, s = ctx.saved_tensors
        return grad_out * s * (1 + x * (1 - s))


def silu(x: Tensor) -> Tensor:
    return SiLUFunction.apply(x)
