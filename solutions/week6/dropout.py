"""Reference solution of the inverted-dropout drill (see ``weeks/week6/dropout.py``)."""

from __future__ import annotations

import numpy as np

__all__ = ["dropout", "dropout_backward"]


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability p must be in [0, 1], got {p}")


def dropout(
    x: np.ndarray,
    p: float,
    training: bool = True,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout: zero each element with probability ``p``, scale the rest by 1/(1-p)."""
    _check_p(p)
    x = np.asarray(x)
    if not training or p == 0.0:
        return x.copy(), np.ones(x.shape, dtype=bool)
    if p == 1.0:
        return np.zeros_like(x), np.zeros(x.shape, dtype=bool)
    rng = np.random.default_rng() if rng is None else rng
    mask = rng.random(x.shape) >= p
    return np.where(mask, x / (1.0 - p), 0.0).astype(x.dtype, copy=False), mask


def dropout_backward(grad_out: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
    """Gradient of :func:`dropout` w.r.t. its input, given the mask of the forward pass."""
    _check_p(p)
    grad_out = np.asarray(grad_out)
    if p == 1.0:
        return np.zeros_like(grad_out)
    return np.where(mask, grad_out / (1.0 - p), 0.0).astype(grad_out.dtype, copy=False)
