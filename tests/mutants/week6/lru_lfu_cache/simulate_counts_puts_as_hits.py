"""Bug: simulate checks `get(key) is None` after putting, so every access looks like a hit."""

from collections.abc import Hashable, Iterable

from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import LFUCache, LRUCache, __all__  # noqa: F401


def simulate(trace: Iterable[Hashable], cache: LRUCache | LFUCache) -> float:
    hits = total = 0
    for key in trace:
        total += 1
        if key not in cache:
            cache.put(key, key)
        if cache.get(key) is not None:
            hits += 1
    return hits / total if total else 0.0
