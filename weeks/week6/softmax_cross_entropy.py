"""Drill (easy, 20 minutes): stable softmax, log-softmax and cross-entropy with label smoothing.

The prompt
----------
Write, in NumPy only (no torch, no scipy):

- ``softmax(x, axis=-1)`` and ``log_softmax(x, axis=-1)`` for an array of any shape;
- ``cross_entropy(logits, labels, label_smoothing=0.0)``: the mean cross-entropy of ``logits``
  of shape ``(N, C)`` against integer ``labels`` of shape ``(N,)``;
- ``cross_entropy_grad(logits, labels, label_smoothing=0.0)``: its gradient with respect to the
  logits, shape ``(N, C)``.

Everything must stay finite for every finite input: the grader feeds logits of ``1e4`` and
``-1e4`` and expects no ``nan``, no ``inf`` and no overflow warning. [#finite] Results are float64
arrays (``cross_entropy`` returns a Python ``float``). [#dtype] Expected cost: O(N * C) time and
memory. [#cost]

Label smoothing with ``eps`` over ``C`` classes (as in ``torch.nn.functional.cross_entropy``):
the target distribution of a sample with label ``y`` is ``(1 - eps) * onehot(y) + eps / C``,
so the true class gets ``1 - eps + eps / C`` and every other class ``eps / C``. [#smoothing]
With ``N = 0`` samples, ``cross_entropy`` returns ``nan`` (the mean of nothing) and
``cross_entropy_grad`` an empty ``(0, C)`` array. [#empty]

Errors (``ValueError``, raised by both ``cross_entropy`` and ``cross_entropy_grad``):

- ``logits`` not 2-D; [#logits-2d]
- ``labels`` not of shape ``(N,)``; [#labels-shape]
- ``labels`` not integers; [#labels-int]
- a label outside ``[0, C)``; [#labels-range]
- ``label_smoothing`` outside ``[0, 1)``. [#eps-range]

Examples::

    >>> softmax(np.array([1.0, 2.0, 3.0])).round(4)
    array([0.09  , 0.2447, 0.6652])
    >>> log_softmax(np.array([0.0, -1e4]))          # not log(0) = -inf
    array([     0., -10000.])
    >>> round(cross_entropy(np.array([[2.0, 0.0]]), np.array([0])), 4)
    0.1269

The grader compares with ``torch.nn.functional`` on random and extreme logits, checks shift
invariance, and checks your gradient against finite differences.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["cross_entropy", "cross_entropy_grad", "log_softmax", "softmax"]


def softmax(x: ArrayLike, axis: int = -1) -> NDArray[np.float64]:
    """Softmax of ``x`` along ``axis``: ``exp(x) / exp(x).sum(axis)``, computed stably.

    Args:
        x: an array of any shape (converted to float64).
        axis: the axis that sums to one.

    Returns:
        An array of the same shape as ``x``, non-negative, summing to 1 along ``axis``. [#softmax]
        Any ``axis`` of ``x`` works, negative ones included. [#axis]
    """
    # TODO: subtract the maximum along `axis` first (keepdims=True), then exponentiate.
    raise NotImplementedError


def log_softmax(x: ArrayLike, axis: int = -1) -> NDArray[np.float64]:
    """``log(softmax(x))`` along ``axis``, computed without ever taking ``log`` of 0.

    Args:
        x: an array of any shape (converted to float64).
        axis: the axis of the distribution.

    Returns:
        An array of the same shape as ``x``, every entry finite and ``<= 0``. [#log-softmax]
    """
    # TODO: use the log-sum-exp trick; do not call softmax and then np.log.
    raise NotImplementedError


def cross_entropy(logits: ArrayLike, labels: ArrayLike, label_smoothing: float = 0.0) -> float:
    """Mean cross-entropy between ``softmax(logits)`` and the (smoothed) one-hot labels.

    ``loss = -(target * log_softmax(logits, axis=1)).sum(axis=1).mean()`` with
    ``target = (1 - eps) * onehot(labels) + eps / C``. [#ce]

    Args:
        logits: shape ``(N, C)``, any finite floats.
        labels: integers of shape ``(N,)`` in ``[0, C)``.
        label_smoothing: ``eps`` in ``[0, 1)``.

    Returns:
        The mean loss over the N samples, a Python float. [#ce-mean]

    Raises:
        ValueError: on bad shapes, non-integer or out-of-range labels, or ``eps`` out of range.
    """
    # TODO: validate, build the smoothed target, combine with log_softmax.
    raise NotImplementedError


def cross_entropy_grad(
    logits: ArrayLike, labels: ArrayLike, label_smoothing: float = 0.0
) -> NDArray[np.float64]:
    """Gradient of :func:`cross_entropy` (mean reduction) with respect to ``logits``. [#grad]

    Args:
        logits: shape ``(N, C)``.
        labels: integers of shape ``(N,)`` in ``[0, C)``.
        label_smoothing: ``eps`` in ``[0, 1)``.

    Returns:
        An array of shape ``(N, C)``.

    Raises:
        ValueError: as :func:`cross_entropy`.
    """
    # TODO: (softmax - target) / N.
    raise NotImplementedError
