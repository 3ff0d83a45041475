"""Bug: LinearFunction.backward computes every gradient, ignoring ctx.needs_input_grad."""

from typing import Any

import torch
from torch import Tensor

from solutions.week1.autograd import *  # noqa: F403
from solutions.week1.autograd import __all__  # noqa: F401


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
        ctx.save_for_backward(x, weight, bias)
        out = x @ weight.T
        return out if bias is None else out + bias

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        x, weight, bias = ctx.saved_tensors
        grad_b = None if bias is None else grad_out.sum(0)
        return grad_out @ weight, grad_out.T @ x, grad_b
