"""Bug: LRU evicts the most recently used entry (popitem() instead of popitem(last=False))."""

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
            self._data.move_to_end(key)
            return
        if len(self._data) >= self._capacity:
            self._data.popitem()
        self._data[key] = value
