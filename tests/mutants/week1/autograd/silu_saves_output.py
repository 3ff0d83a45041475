"""Bug: SiLU saves its output y and uses it in place of x in backward."""

from typing import Any

import torch
from torch import Tensor

from solutions.week1.autograd import *  # noqa: F403
from solutions.week1.autograd import __all__  # noqa: F401


class SiLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = x * torch.sigmoid(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        s = torch.sigmoid(y)
        return grad_out * s * (1 + y * (1 - s))


def silu(x: Tensor) -> Tensor:
    return SiLUFunction.apply(x)
