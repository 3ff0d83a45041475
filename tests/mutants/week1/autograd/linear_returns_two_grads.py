"""Bug: LinearFunction.backward returns (grad_x, grad_weight) and forgets the bias's entry."""

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
        x, weight, _ = ctx.saved_tensors
        grad_x = grad_out @ weight if ctx.needs_input_grad[0] else None
        grad_w = grad_out.T @ x if ctx.needs_input_grad[1] else None
        return grad_x, grad_w  # type: ignore[return-value]
