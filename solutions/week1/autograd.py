"""Autograd by hand: custom Functions, a manual backward pass, gradient accumulation.

Reference solution of the drill ``week1.autograd`` (the spec is the stub's docstrings).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor, nn

__all__ = ["LinearFunction", "SiLUFunction", "accumulated_step", "mlp_backward", "silu"]


class SiLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * s * (1 + x * (1 - s))


def silu(x: Tensor) -> Tensor:
    return SiLUFunction.apply(x)


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
        ctx.save_for_backward(x, weight, bias)
        out = x @ weight.T
        return out if bias is None else out + bias

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        x, weight, bias = ctx.saved_tensors
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = grad_out @ weight
        if ctx.needs_input_grad[1]:
            grad_w = grad_out.T @ x
        if bias is not None and ctx.needs_input_grad[2]:
            grad_b = grad_out.sum(0)
        return grad_x, grad_w, grad_b


def mlp_backward(
    x: Tensor, labels: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor
) -> tuple[Tensor, dict[str, Tensor]]:
    n = x.shape[0]
    z1 = x @ w1.T + b1
    h = z1.clamp_min(0)
    logits = h @ w2.T + b2
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    rows = torch.arange(n)
    loss = -log_probs[rows, labels].mean()

    d_logits = log_probs.exp()
    d_logits[rows, labels] -= 1
    d_logits /= n
    d_h = d_logits @ w2
    d_z1 = d_h * (z1 > 0)
    grads = {
        "w1": d_z1.T @ x,
        "b1": d_z1.sum(0),
        "w2": d_logits.T @ h,
        "b2": d_logits.sum(0),
    }
    return loss, grads


def accumulated_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    micro_batches: Sequence[tuple[Tensor, Tensor]],
) -> float:
    optimizer.zero_grad(set_to_none=True)
    total = 0.0
    for inputs, targets in micro_batches:
        loss = loss_fn(model(inputs), targets) / len(micro_batches)
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total
