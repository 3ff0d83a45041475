"""Activation functions: ReLU, stable sigmoid and softmax, log-softmax, SiLU, hard-swish, GELU.

Write each with plain tensor operations (``torch.exp``, ``torch.log``, ``torch.where``,
``clamp``, ``amax``, ``sum``, ``torch.erf``, ``torch.tanh``, arithmetic). Calling the ready-made
versions is not allowed: no ``torch.nn.functional``, and no ``sigmoid``, ``softmax``,
``log_softmax``, ``logsumexp``, ``relu``, ``relu6``, ``silu``, ``hardswish``, ``hardsigmoid``,
``gelu`` or ``softplus`` as a ``torch.``/``F.``/tensor method. [#no-ready-made] Your own
functions may call each other (``silu`` can use your ``sigmoid``).

The grader compares every function with ``torch.nn.functional`` in float32 and float64 on random
inputs and on extreme ones (``+-1e4``, where a naive formula overflows to ``inf`` and then
``nan``), and compares the gradients autograd computes through your code with those through
``F`` (a formula can be right forward and still give ``nan`` gradients; see :func:`sigmoid`).
[#gradients] Every function keeps the shape and dtype of its input. [#shape-dtype] The values
are compared within the rounding a correct formula may make: a few ``eps`` of the dtype times
the size of the inputs.
"""

from __future__ import annotations

from torch import Tensor

__all__ = ["gelu", "hard_swish", "log_softmax", "relu", "sigmoid", "silu", "softmax"]


def relu(x: Tensor) -> Tensor:
    """``max(x, 0)`` elementwise, same shape and dtype as ``x``. [#relu] Its gradient at 0 is 0.

    [#relu-grad-at-zero]
    """
    # TODO: torch.where or clamp.
    raise NotImplementedError


def sigmoid(x: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))`` elementwise, stable for any finite ``x``.

    ``exp(-x)`` overflows to ``inf`` for ``x < -88`` in float32. The forward value happens to
    survive (``1 / inf == 0``), but the gradient does not: autograd multiplies ``inf`` by 0 and
    returns ``nan``. Compute with ``z = exp(-|x|)``, which is always in ``(0, 1]``:
    ``sigmoid(x) = 1 / (1 + z)`` for ``x >= 0`` and ``z / (1 + z)`` for ``x < 0``. [#sigmoid]

    Beware ``torch.where``: it evaluates both branches and sends gradient 0 to the branch it
    did not pick, and ``0 * inf`` is ``nan``. Both branches must be finite everywhere. And
    build ``-|x|`` as ``torch.where(x >= 0, -x, x)``: autograd gives ``x.abs()`` gradient 0 at
    ``x = 0``, which would make your sigmoid's gradient at 0 zero instead of 0.25.
    [#sigmoid-grad]

    Returns:
        Tensor of the shape and dtype of ``x`` with values in ``[0, 1]``, no ``nan``.
        [#sigmoid-stable]
    """
    # TODO: exp(-|x|), then choose the formula by the sign of x.
    raise NotImplementedError


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, stable for large inputs.

    Softmax does not change if you subtract the same number from every element along ``dim``;
    subtract the maximum (``x.amax(dim, keepdim=True)``) so the largest exponent is ``exp(0)``.
    [#softmax-stable] Entries equal to ``-inf`` (masked positions) get probability 0.
    [#softmax-mask]

    Args:
        x: tensor of any shape.
        dim: the axis that sums to 1 (negative values count from the end). [#softmax-dim]

    Returns:
        Tensor of the shape and dtype of ``x``; every slice along ``dim`` sums to 1.
        [#softmax]
    """
    # TODO: subtract the max along dim (keepdim=True), exponentiate, divide by the sum.
    raise NotImplementedError


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed without taking the log of a softmax.

    ``log(softmax(x))`` gives ``-inf`` where softmax underflows to 0 (``x = [0, -1e4]``), while
    the true value is ``-1e4``. Use ``x - m - log(sum(exp(x - m)))`` with ``m`` the max along
    ``dim`` (the log-sum-exp trick). ``x - logsumexp(x)``, with your own stable log-sum-exp,
    is as good. [#log-softmax] ``dim`` works as in :func:`softmax`. [#log-softmax-dim]

    Returns:
        Tensor of the shape and dtype of ``x``, finite wherever ``x`` is finite.
        [#log-softmax-finite]
    """
    # TODO: the log-sum-exp trick.
    raise NotImplementedError


def silu(x: Tensor) -> Tensor:
    """SiLU, also called swish: ``x * sigmoid(x)`` (EfficientNet's activation). [#silu]"""
    # TODO: one line, with your stable sigmoid.
    raise NotImplementedError


def hard_swish(x: Tensor) -> Tensor:
    """Hard-swish (MobileNetV3): ``x * relu6(x + 3) / 6`` with ``relu6(y) = min(max(y, 0), 6)``.

    It is 0 for ``x <= -3``, ``x`` for ``x >= 3``, and ``x * (x + 3) / 6`` in between: a cheap,
    piecewise approximation of SiLU. [#hard-swish]
    """
    # TODO: clamp(x + 3, 0, 6).
    raise NotImplementedError


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU (ViT's activation): ``x * Phi(x)`` with ``Phi`` the standard normal CDF.

    Args:
        x: tensor of any shape.
        approximate: ``"none"`` for the exact ``0.5 * x * (1 + erf(x / sqrt(2)))``, [#gelu]
            or ``"tanh"`` for ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x ** 3)))``;
            the same names as ``F.gelu``. [#gelu-tanh]

    Returns:
        Tensor of the shape and dtype of ``x``.

    Raises:
        ValueError: for any other ``approximate``, when called. [#gelu-invalid]
    """
    # TODO: torch.erf for the exact form, torch.tanh for the approximation.
    raise NotImplementedError
