"""Bug: LRU keeps a timestamp per key and evicts with min() over all keys: O(n) per eviction."""

from collections.abc import Hashable
from typing import Any

from solutions.week6 import lru_lfu_cache as _solution
from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import __all__  # noqa: F401


class LRUCache(_solution.LRUCache):
    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self._values: dict[Hashable, Any] = {}
        self._stamp: dict[Hashable, int] = {}
        self._clock = 0

    def _use(self, key: Hashable) -> None:
        self._clock += 1
        self._stamp[key] = self._clock

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
        if key not in self._values and len(self._values) >= self._capacity:
            victim = min(self._stamp, key=self._stamp.get)
            del self._values[victim], self._stamp[victim]
        self._values[key] = value
        self._use(key)

    def keys(self) -> list[Hashable]:
        return sorted(self._values, key=self._stamp.get)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values
