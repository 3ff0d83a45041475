"""Reference solution of the Adam / AdamW drill (see ``weeks/week6/adam.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Adam"]


class Adam:
    """Adam (``decoupled=False``, L2 penalty in the gradient) or AdamW (``decoupled=True``)."""

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0:
            raise ValueError(
                f"lr, eps and weight_decay must be >= 0, got {lr}, {eps}, {weight_decay}"
            )
        if not all(0.0 <= b < 1.0 for b in betas) or len(betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
        self.params = list(params)
        for p in self.params:
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError("params must be float NumPy arrays (they are updated in place)")
        self.lr = lr
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = eps
        self.weight_decay = weight_decay
        self.decoupled = decoupled
        self.t = 0
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """One update of every parameter, in place, from ``grads`` (same order and shapes)."""
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ValueError(f"expected {len(self.params)} gradients, got {len(grads)}")
        for p, g in zip(self.params, grads, strict=True):
            if np.shape(g) != p.shape:
                raise ValueError(f"gradient shape {np.shape(g)} does not match parameter {p.shape}")
        b1, b2 = self.betas
        self.t += 1
        correction1 = 1.0 - b1**self.t
        correction2 = 1.0 - b2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            g = np.asarray(g, dtype=p.dtype)
            if self.weight_decay:
                if self.decoupled:
                    p *= 1.0 - self.lr * self.weight_decay
                else:
                    g = g + self.weight_decay * p
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            m_hat = m / correction1
            v_hat = v / correction2
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
