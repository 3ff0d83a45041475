"""Reference solution: exact top-k frequent items, a Count-Min sketch, a heavy-hitters tracker."""

from __future__ import annotations

import hashlib
import heapq
import random
from collections import Counter
from collections.abc import Hashable, Iterable

import numpy as np

__all__ = ["CountMinSketch", "HeavyHitters", "top_k_frequent"]

_PRIME = (1 << 61) - 1  # Mersenne prime for the (a * h + b) mod p row hashes


def top_k_frequent(items: Iterable[Hashable], k: int) -> list[tuple[Hashable, int]]:
    """The ``k`` most frequent items with their counts; ties by increasing item."""
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    counts = Counter(items)
    return heapq.nsmallest(k, counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _key(item: Hashable) -> bytes:
    return item if isinstance(item, bytes) else str(item).encode("utf-8")


class CountMinSketch:
    """``depth`` rows of ``width`` counters; estimates never undercount."""

    def __init__(self, width: int, depth: int, seed: int = 0) -> None:
        if width < 1 or depth < 1:
            raise ValueError(f"width and depth must be positive, got {width} and {depth}")
        self.width = width
        self.depth = depth
        self.seed = seed
        self._table = np.zeros((depth, width), dtype=np.int64)
        self._total = 0
        rng = random.Random(seed)
        self._a = [rng.randrange(1, _PRIME) for _ in range(depth)]
        self._b = [rng.randrange(0, _PRIME) for _ in range(depth)]
        self._salt = seed.to_bytes(8, "little", signed=True)

    def _columns(self, item: Hashable) -> list[int]:
        digest = hashlib.blake2b(_key(item), digest_size=8, salt=self._salt).digest()
        h = int.from_bytes(digest, "little") % _PRIME
        return [(a * h + b) % _PRIME % self.width for a, b in zip(self._a, self._b, strict=True)]

    @property
    def total(self) -> int:
        """Sum of all counts added."""
        return self._total

    def add(self, item: Hashable, count: int = 1) -> None:
        """Count ``item`` ``count`` more times."""
        if count < 0:
            raise ValueError(f"count must be non-negative, got {count}")
        self._table[np.arange(self.depth), self._columns(item)] += count
        self._total += count

    def estimate(self, item: Hashable) -> int:
        """An upper bound on the count of ``item``: the minimum over the rows."""
        return int(self._table[np.arange(self.depth), self._columns(item)].min())


class HeavyHitters:
    """Approximate top-k items of a stream: a Count-Min sketch plus at most ``k`` candidates."""

    def __init__(self, k: int, width: int, depth: int, seed: int = 0) -> None:
        if k < 1:
            raise ValueError(f"k must be positive, got {k}")
        self.k = k
        self.sketch = CountMinSketch(width, depth, seed)
        self._candidates: dict[Hashable, int] = {}

    def add(self, item: Hashable, count: int = 1) -> None:
        """Count ``item`` and keep it if it is among the k largest estimates."""
        self.sketch.add(item, count)
        estimate = self.sketch.estimate(item)
        if item in self._candidates or len(self._candidates) < self.k:
            self._candidates[item] = estimate
            return
        weakest = min(self._candidates, key=lambda c: (self._candidates[c], c))
        if estimate > self._candidates[weakest]:
            del self._candidates[weakest]
            self._candidates[item] = estimate

    def top(self) -> list[tuple[Hashable, int]]:
        """The candidates with fresh estimates, by decreasing estimate (ties: increasing item)."""
        fresh = {c: self.sketch.estimate(c) for c in self._candidates}
        return sorted(fresh.items(), key=lambda kv: (-kv[1], kv[0]))
