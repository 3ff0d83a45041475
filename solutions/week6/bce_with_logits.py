"""Reference solution: stable sigmoid and binary cross-entropy with logits (and its gradient)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["bce_with_logits", "bce_with_logits_grad", "sigmoid"]


def sigmoid(x: ArrayLike) -> NDArray[np.float64]:
    """``1 / (1 + exp(-x))`` without overflow for any finite ``x``."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _prepare(logits: ArrayLike, targets: ArrayLike, pos_weight: ArrayLike | float | None):
    x = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    if x.shape != y.shape or x.size == 0:
        raise ValueError(
            f"logits and targets must have the same non-empty shape, got {x.shape}, {y.shape}"
        )
    if ((y < 0) | (y > 1)).any():
        raise ValueError("targets must lie in [0, 1]")
    p = np.float64(1.0) if pos_weight is None else np.asarray(pos_weight, dtype=np.float64)
    try:
        fits = np.broadcast_shapes(p.shape, x.shape) == x.shape  # never widens the logits
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"pos_weight of shape {p.shape} does not broadcast to {x.shape}")
    return x, y, p


def bce_with_logits(
    logits: ArrayLike, targets: ArrayLike, pos_weight: ArrayLike | float | None = None
) -> float:
    """Mean of ``-[p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]`` over all elements."""
    x, y, p = _prepare(logits, targets, pos_weight)
    neg_log_sigmoid = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0.0)  # softplus(-x)
    loss = (1.0 - y) * x + (1.0 + (p - 1.0) * y) * neg_log_sigmoid
    return float(loss.mean())


def bce_with_logits_grad(
    logits: ArrayLike, targets: ArrayLike, pos_weight: ArrayLike | float | None = None
) -> NDArray[np.float64]:
    """Gradient of :func:`bce_with_logits` with respect to ``logits``."""
    x, y, p = _prepare(logits, targets, pos_weight)
    grad = sigmoid(x) * (p * y + 1.0 - y) - p * y
    return grad / x.size
