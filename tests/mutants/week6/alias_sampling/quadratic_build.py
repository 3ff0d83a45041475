"""Bug: O(n^2) build: every step scans all columns for the smallest and largest remaining one.

The tables are right; only the work test can tell.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solutions.week6.alias_sampling import AliasSampler as _Reference
from solutions.week6.alias_sampling import __all__

__all__ = list(__all__)


class AliasSampler(_Reference):
    def __init__(self, weights: Sequence[float] | np.ndarray, seed: int | None = None) -> None:
        super().__init__(weights, seed)  # validation and the generator
        w = np.asarray(weights, dtype=np.float64)
        n = w.size
        scaled = w * (n / w.sum())
        self.prob = np.ones(n)
        self.alias = np.arange(n, dtype=np.int64)
        open_ = np.ones(n, dtype=bool)
        for _ in range(n - 1):
            masked = np.where(open_, scaled, np.inf)
            s = int(np.argmin(masked))
            g = int(np.argmax(np.where(open_, scaled, -np.inf)))
            if scaled[s] >= 1.0 or s == g:
                break
            self.prob[s], self.alias[s] = scaled[s], g
            scaled[g] -= 1.0 - scaled[s]
            open_[s] = False
