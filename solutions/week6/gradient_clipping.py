"""Reference solution of the gradient-clipping drill (see ``weeks/week6/gradient_clipping.py``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["clip_grad_norm", "clip_grad_value"]


def clip_grad_norm(grads: Sequence[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Scale all gradients together so their global L2 norm is at most ``max_norm``."""
    if max_norm < 0:
        raise ValueError(f"max_norm must be >= 0, got {max_norm}")
    grads = [np.asarray(g) for g in grads]
    total = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    return [g * np.asarray(scale, dtype=g.dtype) for g in grads], total


def clip_grad_value(grads: Sequence[np.ndarray], clip_value: float) -> list[np.ndarray]:
    """Clamp every gradient element into ``[-clip_value, clip_value]``."""
    if clip_value < 0:
        raise ValueError(f"clip_value must be >= 0, got {clip_value}")
    return [np.clip(np.asarray(g), -clip_value, clip_value) for g in grads]
