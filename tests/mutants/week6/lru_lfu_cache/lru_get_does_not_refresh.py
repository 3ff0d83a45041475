"""Bug: LRU get does not make the key the most recently used (the cache is FIFO)."""

from collections.abc import Hashable
from typing import Any

from solutions.week6 import lru_lfu_cache as _solution
from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import __all__  # noqa: F401


class LRUCache(_solution.LRUCache):
    def get(self, key: Hashable, default: Any = None) -> Any:
        if key not in self._data:
            self._misses += 1
            return default
        self._hits += 1
        return self._data[key]
