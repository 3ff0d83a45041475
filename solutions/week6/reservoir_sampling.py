"""Reference solution: reservoir sampling (Algorithm R) and weighted sampling (A-Res)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable
from typing import TypeVar

__all__ = ["reservoir_sample", "weighted_reservoir_sample"]

T = TypeVar("T")


def reservoir_sample(stream: Iterable[T], k: int, rng: random.Random) -> list[T]:
    """A uniform random sample of ``k`` items from ``stream`` in one pass and O(k) memory."""
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    reservoir: list[T] = []
    for i, item in enumerate(stream):
        if i < k:
            reservoir.append(item)
        else:
            j = rng.randrange(i + 1)
            if j < k:
                reservoir[j] = item
    return reservoir


def weighted_reservoir_sample(
    stream: Iterable[tuple[T, float]], k: int, rng: random.Random
) -> list[T]:
    """A weighted sample without replacement (Efraimidis-Spirakis A-Res) of ``k`` items."""
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    heap: list[tuple[float, int, T]] = []  # min-heap of (key, arrival, item)
    for i, (item, weight) in enumerate(stream):
        if not weight > 0:
            raise ValueError(f"weights must be positive, got {weight!r} for item {i}")
        key = rng.random() ** (1.0 / weight)
        if len(heap) < k:
            heapq.heappush(heap, (key, i, item))
        elif k and key > heap[0][0]:
            heapq.heapreplace(heap, (key, i, item))
    return [item for _, _, item in sorted(heap, reverse=True)]
