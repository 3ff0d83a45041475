"""Reference solution: stable softmax, log-softmax and cross-entropy with label smoothing."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["cross_entropy", "cross_entropy_grad", "log_softmax", "softmax"]


def softmax(x: ArrayLike, axis: int = -1) -> NDArray[np.float64]:
    """Softmax along ``axis``, stable for any finite input."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: ArrayLike, axis: int = -1) -> NDArray[np.float64]:
    """Log of the softmax along ``axis``, computed without ever taking ``log(0)``."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _targets(logits: ArrayLike, labels: ArrayLike, label_smoothing: float):
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, C), got {logits.shape}")
    n, c = logits.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if n and (labels.min() < 0 or labels.max() >= c):
        raise ValueError(f"labels must lie in [0, {c}), got {labels.min()}..{labels.max()}")
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    target = np.full((n, c), label_smoothing / c)
    target[np.arange(n), labels] += 1.0 - label_smoothing
    return logits, target


def cross_entropy(logits: ArrayLike, labels: ArrayLike, label_smoothing: float = 0.0) -> float:
    """Mean cross-entropy of ``logits`` (N, C) against integer ``labels`` (N,)."""
    logits, target = _targets(logits, labels, label_smoothing)
    return float(-(target * log_softmax(logits, axis=1)).sum(axis=1).mean())


def cross_entropy_grad(
    logits: ArrayLike, labels: ArrayLike, label_smoothing: float = 0.0
) -> NDArray[np.float64]:
    """Gradient of :func:`cross_entropy` with respect to ``logits``, shape (N, C)."""
    logits, target = _targets(logits, labels, label_smoothing)
    return (softmax(logits, axis=1) - target) / logits.shape[0]
