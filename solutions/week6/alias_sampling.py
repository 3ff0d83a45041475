"""Reference solution of the alias-method drill (see ``weeks/week6/alias_sampling.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["AliasSampler"]


class AliasSampler:
    """Draw indices ``i`` with probability ``weights[i] / sum(weights)`` in O(1) per draw."""

    def __init__(self, weights: Sequence[float] | np.ndarray, seed: int | None = None) -> None:
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1 or w.size == 0:
            raise ValueError(f"weights must be a non-empty 1-D sequence, got shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("weights must be finite, non-negative and not all zero")
        n = w.size
        w = w / w.max()  # finite weights whose sum would overflow (1e308 twice) stay exact
        scaled = (w * (n / w.sum())).tolist()  # mean 1
        self.prob = np.zeros(n)
        self.alias = np.arange(n, dtype=np.int64)
        small = [i for i, s in enumerate(scaled) if s < 1.0]
        large = [i for i, s in enumerate(scaled) if s >= 1.0]
        while small and large:  # Vose: every step fills one column, O(n) in total
            s, g = small.pop(), large.pop()
            self.prob[s] = scaled[s]
            self.alias[s] = g
            scaled[g] -= 1.0 - scaled[s]  # g donates what column s is missing
            (small if scaled[g] < 1.0 else large).append(g)
        for i in large + small:  # leftovers are (numerically) exactly full
            self.prob[i] = 1.0
        self._rng = np.random.default_rng(seed)

    def sample(self, k: int) -> np.ndarray:
        """``k`` independent draws, shape ``(k,)``, dtype int64."""
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        columns = self._rng.integers(0, len(self.prob), size=k)
        coins = self._rng.random(k)
        return np.where(coins < self.prob[columns], columns, self.alias[columns]).astype(np.int64)
