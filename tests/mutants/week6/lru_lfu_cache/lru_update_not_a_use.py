"""Bug: LRU put on an existing key updates the value but does not refresh its recency."""

from collections.abc import Hashable
from typing import Any

from solutions.week6 import lru_lfu_cache as _solution
from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import __all__  # noqa: F401


class LRUCache(_solution.LRUCache):
    def put(self, key: Hashable, value: Any) -> None:
        if self._capacity == 0:
            return
        if key in self._data:
            self._data[key] = value
            return
        if len(self._data) >= self._capacity:
            self._data.popitem(last=False)
        self._data[key] = value
