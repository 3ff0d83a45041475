"""Autograd by hand: custom Functions, a manual backward pass, gradient accumulation.

PyTorch's autograd records every operation of the forward pass and runs the chain rule
backwards. You write what it does for you:

1. ``SiLUFunction``: a :class:`torch.autograd.Function` for SiLU, ``y = x * sigmoid(x)``
   (EfficientNet's activation), with the derivative you work out on paper, and ``silu``;
2. ``LinearFunction``: ``y = x @ W.T + b`` with three inputs, where ``backward`` returns one
   gradient per input and skips those nobody needs (``ctx.needs_input_grad``);
3. ``mlp_backward``: the whole backward pass of a 2-layer MLP with a cross-entropy loss, by
   hand, with no autograd at all;
4. ``accumulated_step``: one optimizer step from several micro-batches (gradient accumulation),
   which is how you train with a batch that does not fit in memory.

The grader checks your Functions with :func:`torch.autograd.gradcheck` (finite differences in
float64), compares them with ``F.silu`` and ``F.linear``, calls your ``backward`` directly with a
``ctx`` whose ``needs_input_grad`` it chooses, compares ``mlp_backward`` with autograd on the same
network, and compares ``accumulated_step`` with one step on the full batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor, nn

__all__ = ["LinearFunction", "SiLUFunction", "accumulated_step", "mlp_backward", "silu"]


class SiLUFunction(torch.autograd.Function):
    """SiLU with a hand-written backward. Call it as ``SiLUFunction.apply(x)``.

    Derive ``dy/dx`` for ``y = x * s`` with ``s = sigmoid(x)`` and ``ds/dx = s * (1 - s)``
    (product rule). [#silu-backward] Save **only the input** ``x`` with
    ``ctx.save_for_backward(x)`` and recompute ``s`` in ``backward``: that saves memory (the
    grader checks that exactly one tensor, equal to ``x``, is saved). [#silu-saves-input]
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        """Return ``x * torch.sigmoid(x)`` (shape and dtype of ``x``), after saving ``x``.

        [#silu-forward]
        """
        # TODO: save x, return the SiLU of x.
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> Tensor:
        """Return ``grad_out * dy/dx`` (the chain rule), same shape as ``x``. [#silu-backward]"""
        # TODO: read ctx.saved_tensors, recompute the sigmoid, apply your derivative.
        raise NotImplementedError


def silu(x: Tensor) -> Tensor:
    """SiLU through your Function (one line: ``SiLUFunction.apply(x)``). [#silu]"""
    # TODO
    raise NotImplementedError


class LinearFunction(torch.autograd.Function):
    """``y = x @ weight.T + bias`` (what ``nn.Linear`` computes), with a hand-written backward.

    Shapes: ``x (N, in)``, ``weight (out, in)``, ``bias (out,)`` or ``None``, ``y (N, out)``.
    [#linear-forward] Call it as ``LinearFunction.apply(x, weight, bias)``.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
        """Save what backward needs with ``ctx.save_for_backward`` and return ``y``.

        ``bias`` may be ``None`` (then there is no bias term); ``save_for_backward`` accepts
        ``None`` entries. [#linear-no-bias]
        """
        # TODO: save the tensors, return x @ weight.T (+ bias).
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        """Return ``(grad_x, grad_weight, grad_bias)``: exactly one entry per input of forward.

        [#linear-three-grads] ``grad_out`` is ``dL/dy``, shape ``(N, out)``; each gradient is
        shaped like its input. [#linear-backward] Return ``None`` in place of a gradient nobody
        needs: when ``ctx.needs_input_grad[i]`` is False for input ``i``, and for the bias when
        it is ``None``. [#linear-needs-input-grad] The grader calls your ``backward`` with a
        ``ctx`` where only some inputs need gradients and expects ``None`` for the others
        (computing them wastes time and memory: for a frozen layer, ``grad_weight`` is a whole
        matrix product).
        """
        # TODO: three gradients, each only if needed.
        raise NotImplementedError


def mlp_backward(
    x: Tensor, labels: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor
) -> tuple[Tensor, dict[str, Tensor]]:
    """Loss and gradients of a 2-layer MLP, computed by hand (no autograd).

    The network and its loss, for a batch of ``N`` rows::

        z1 = x @ w1.T + b1          # (N, H)
        h = relu(z1)                # (N, H)
        logits = h @ w2.T + b2      # (N, K)
        loss = cross_entropy(logits, labels)   # mean over the N rows

    Shapes: ``x (N, D)``, ``labels (N,)`` int64 in ``[0, K)``, ``w1 (H, D)``, ``b1 (H,)``,
    ``w2 (K, H)``, ``b2 (K,)``. Use a stable log-softmax for the loss: logits of several
    hundred give a finite loss and finite gradients. [#mlp-stable]

    Useful facts: ``dloss/dlogits = (softmax(logits) - one_hot(labels)) / N``; the gradient of
    a matrix product ``a @ b.T`` w.r.t. ``b`` is ``grad.T @ a``; ``relu`` passes the gradient
    where ``z1 > 0`` and blocks it elsewhere (also where ``z1 == 0``, as autograd does).
    [#mlp-relu]

    The grader runs this under ``torch.no_grad()`` and compares with
    ``torch.autograd`` on the same network to 1e-10 (float64, relative to the size of the
    values). [#mlp-grads] Do not call ``backward``, ``torch.autograd`` or ``requires_grad_``
    here. [#mlp-no-autograd]

    Returns:
        ``(loss, grads)``: the scalar loss (the mean cross-entropy) and a dict with keys
        ``"w1"``, ``"b1"``, ``"w2"``, ``"b2"``, each gradient shaped like its parameter.
        [#mlp-returns]
    """
    # TODO: forward, keeping z1, h and the softmax; then backward, from the loss to w1.
    raise NotImplementedError


def accumulated_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    micro_batches: Sequence[tuple[Tensor, Tensor]],
) -> float:
    """One optimizer step from several equal-sized micro-batches (gradient accumulation).

    ``loss.backward()`` *adds* into ``param.grad``; it never overwrites it. So:

    1. clear the gradients left by earlier steps (``optimizer.zero_grad()``); [#accum-zero-grad]
    2. for each ``(inputs, targets)``: ``loss = loss_fn(model(inputs), targets)``, scale it by
       ``1 / len(micro_batches)`` and call ``backward()`` on it; [#accum-scale]
    3. call ``optimizer.step()`` once, at the end. [#accum-step-once]

    With a mean-reduced ``loss_fn``, the gradients and the step are then the same as one step on
    the concatenation of all micro-batches (the grader checks exactly that, with any optimizer
    and any number of micro-batches). [#accum-full-batch] ``param.grad`` still holds the
    accumulated gradient when you return. [#accum-grad-kept]

    Returns:
        The full-batch loss: the mean of the micro-batch losses, as a Python float.
        [#accum-returns]
    """
    # TODO: zero, accumulate scaled losses, step once.
    raise NotImplementedError
