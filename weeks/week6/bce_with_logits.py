"""Drill (easy, 15 minutes): stable sigmoid and binary cross-entropy with logits.

The prompt
----------
Multi-label pill attributes (scored? coated? capsule?) are trained with binary cross-entropy on
raw logits. Implement in NumPy, matching ``torch.nn.functional.binary_cross_entropy_with_logits``
(mean reduction):

``sigmoid(x)``
    elementwise ``1 / (1 + exp(-x))`` (float64, the shape of ``x``, accurate to a few ulps even
    for tiny values), [#sigmoid] for any finite ``x`` **without overflow**: the grader runs it
    with NumPy's floating-point errors raised (``np.errstate(over="raise")``), so ``np.exp(-x)``
    at ``x = -1e4`` fails even though the result would be right. Only ever exponentiate
    ``-|x|``. [#no-overflow]
``bce_with_logits(logits, targets, pos_weight=None)``
    the mean over **all** elements of
    ``-[pos_weight * y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x))]``, as a Python float.
    [#loss] Never compute ``log(sigmoid(x))``: it is ``log(0) = -inf`` for ``x = -1e4``. [#finite]
    Use
    ``-log(sigmoid(x)) = log1p(exp(-|x|)) + max(-x, 0)`` and
    ``-log(1 - sigmoid(x)) = x - log(sigmoid(x))``, i.e. the loss
    ``(1 - y) * x + (1 + (p - 1) * y) * (log1p(exp(-|x|)) + max(-x, 0))``.
``bce_with_logits_grad(logits, targets, pos_weight=None)``
    its gradient with respect to ``logits`` (same shape):
    ``(sigmoid(x) * (p * y + 1 - y) - p * y) / N`` with N the number of elements; without
    ``pos_weight`` that is ``(sigmoid(x) - y) / N``. [#grad]

``logits`` and ``targets`` have the same shape, any number of dimensions; [#any-shape]
``targets`` are floats in ``[0, 1]`` (soft labels allowed). [#soft-labels] ``pos_weight`` (the
weight of the positive term, to counter class imbalance) is ``None`` (1), a scalar, or an array
that broadcasts to the logits' shape, e.g. one weight per column for logits of shape ``(N, C)``.
[#pos-weight]

Errors (``ValueError``, from the loss and the gradient alike): shapes differ or are empty;
[#shapes] a target outside ``[0, 1]``; [#target-range] a ``pos_weight`` that does not
broadcast to the logits' shape (it may not widen it: ``(3,)`` for logits ``(1,)`` is an error).
[#pos-weight-shape]

Example::

    >>> round(bce_with_logits(np.array([2.0, -1.0]), np.array([1.0, 0.0])), 4)
    0.2201
    >>> bce_with_logits(np.array([-1e4]), np.array([1.0]))    # finite, not inf
    10000.0

The grader compares with PyTorch on random and ±1e4 logits and checks the gradient with autograd
and finite differences.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["bce_with_logits", "bce_with_logits_grad", "sigmoid"]


def sigmoid(x: ArrayLike) -> NDArray[np.float64]:
    """The logistic function, elementwise, without overflow.

    Args:
        x: any array (converted to float64).

    Returns:
        An array of the same shape with values in ``[0, 1]``.
    """
    # TODO: e = np.exp(-np.abs(x)); choose 1 / (1 + e) or e / (1 + e) by the sign of x.
    raise NotImplementedError


def bce_with_logits(
    logits: ArrayLike, targets: ArrayLike, pos_weight: ArrayLike | float | None = None
) -> float:
    """Binary cross-entropy on logits, mean over all elements.

    Args:
        logits: any shape.
        targets: same shape, values in ``[0, 1]``.
        pos_weight: ``None``, a scalar, or an array broadcasting against ``logits``.

    Returns:
        The mean loss, a finite Python float.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO
    raise NotImplementedError


def bce_with_logits_grad(
    logits: ArrayLike, targets: ArrayLike, pos_weight: ArrayLike | float | None = None
) -> NDArray[np.float64]:
    """Gradient of :func:`bce_with_logits` with respect to ``logits``.

    Args:
        logits: any shape.
        targets: same shape, values in ``[0, 1]``.
        pos_weight: ``None``, a scalar, or an array broadcasting against ``logits``.

    Returns:
        An array of the same shape as ``logits``.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO
    raise NotImplementedError
