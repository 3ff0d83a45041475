"""Reference solution: streaming mean and variance (Welford) with parallel merge (Chan et al.)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["RunningStats"]


class RunningStats:
    """Count, mean and sum of squared deviations (M2) of a stream, updated in O(1) memory."""

    def __init__(self) -> None:
        self._n = 0
        self._mean = 0.0
        self._m2 = 0.0

    @property
    def count(self) -> int:
        """Number of values seen."""
        return self._n

    @property
    def mean(self) -> float:
        """Mean of the values seen."""
        if self._n == 0:
            raise ValueError("the mean of no values is undefined")
        return self._mean

    def variance(self, ddof: int = 0) -> float:
        """``M2 / (count - ddof)``."""
        if self._n - ddof <= 0:
            raise ValueError(f"variance with ddof={ddof} needs more than {ddof} values")
        return self._m2 / (self._n - ddof)

    def std(self, ddof: int = 0) -> float:
        """Square root of :meth:`variance`."""
        return math.sqrt(self.variance(ddof))

    def _absorb(self, n: int, mean: float, m2: float) -> None:
        if n == 0:
            return
        total = self._n + n
        delta = mean - self._mean
        self._mean += delta * n / total
        self._m2 += m2 + delta * delta * self._n * n / total
        self._n = total

    def update(self, x: float | ArrayLike) -> RunningStats:
        """Add one value (Welford's step) or a 1-D batch (merged as its own summary)."""
        values = np.asarray(x, dtype=np.float64)
        if values.ndim == 0:
            value = float(values)
            self._n += 1
            delta = value - self._mean
            self._mean += delta / self._n
            self._m2 += delta * (value - self._mean)
        elif values.ndim == 1:
            if values.size:
                batch_mean = float(values.mean())
                self._absorb(values.size, batch_mean, float(((values - batch_mean) ** 2).sum()))
        else:
            raise ValueError(f"update takes a scalar or a 1-D batch, got shape {values.shape}")
        return self

    def merge(self, other: RunningStats) -> RunningStats:
        """A new summary of both streams; ``self`` and ``other`` are unchanged."""
        out = RunningStats()
        out._absorb(self._n, self._mean, self._m2)
        out._absorb(other._n, other._mean, other._m2)
        return out
