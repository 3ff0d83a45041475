"""Bug: keeps sum(x) and sum(x**2) and returns E[x^2] - E[x]^2 (catastrophic cancellation)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["RunningStats"]


class RunningStats:
    def __init__(self) -> None:
        self._n = 0
        self._sum = 0.0
        self._sumsq = 0.0

    @property
    def count(self) -> int:
        return self._n

    @property
    def mean(self) -> float:
        if self._n == 0:
            raise ValueError("the mean of no values is undefined")
        return self._sum / self._n

    def variance(self, ddof: int = 0) -> float:
        if self._n - ddof <= 0:
            raise ValueError(f"variance with ddof={ddof} needs more than {ddof} values")
        return (self._sumsq - self._sum**2 / self._n) / (self._n - ddof)

    def std(self, ddof: int = 0) -> float:
        return math.sqrt(max(self.variance(ddof), 0.0))

    def update(self, x: float | ArrayLike) -> RunningStats:
        values = np.asarray(x, dtype=np.float64)
        if values.ndim > 1:
            raise ValueError(f"update takes a scalar or a 1-D batch, got shape {values.shape}")
        values = values.reshape(-1)
        self._n += values.size
        self._sum += float(values.sum())
        self._sumsq += float((values**2).sum())
        return self

    def merge(self, other: RunningStats) -> RunningStats:
        out = RunningStats()
        out._n = self._n + other._n
        out._sum = self._sum + other._sum
        out._sumsq = self._sumsq + other._sumsq
        return out
