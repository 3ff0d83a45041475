"""Bug: sample() ignores the alias tables and calls rng.choice with the weights (O(n) set-up)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solutions.week6.alias_sampling import AliasSampler as _Reference
from solutions.week6.alias_sampling import __all__

__all__ = list(__all__)


class AliasSampler(_Reference):
    def __init__(self, weights: Sequence[float] | np.ndarray, seed: int | None = None) -> None:
        super().__init__(weights, seed)
        w = np.asarray(weights, dtype=np.float64)
        self._p = w / w.sum()

    def sample(self, k: int) -> np.ndarray:
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        return self._rng.choice(len(self._p), size=k, p=self._p).astype(np.int64)
