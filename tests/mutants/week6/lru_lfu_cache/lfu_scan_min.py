"""Bug: LFU evicts by scanning min() over all entries by (frequency, last use): O(n) eviction."""

from collections.abc import Hashable
from typing import Any

from solutions.week6 import lru_lfu_cache as _solution
from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import __all__  # noqa: F401


class LFUCache(_solution.LFUCache):
    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self._last: dict[Hashable, int] = {}
        self._clock = 0

    def _use(self, key: Hashable, fresh: bool = False) -> None:
        self._clock += 1
        self._freq[key] = 1 if fresh else self._freq[key] + 1
        self._last[key] = self._clock

    def get(self, key: Hashable, default: Any = None) -> Any:
        if key not in self._values:
            self._misses += 1
            return default
        self._hits += 1
        self._use(key)
        return self._values[key]

    def put(self, key: Hashable, value: Any) -> None:
        if self._capacity == 0:
            return
        if key in self._values:
            self._values[key] = value
            self._use(key)
            return
        if len(self._values) >= self._capacity:
            victim = min(self._values, key=lambda k: (self._freq[k], self._last[k]))
            del self._values[victim], self._freq[victim], self._last[victim]
        self._values[key] = value
        self._use(key, fresh=True)

    def keys(self) -> list[Hashable]:
        return sorted(self._values, key=lambda k: (self._freq[k], self._last[k]))
