"""Bug: LFU does not reset the minimum frequency to 1 when a new key is inserted."""

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from solutions.week6 import lru_lfu_cache as _solution
from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import __all__  # noqa: F401


class LFUCache(_solution.LFUCache):
    def put(self, key: Hashable, value: Any) -> None:
        if self._capacity == 0:
            return
        if key in self._values:
            self._values[key] = value
            self._touch(key)
            return
        if len(self._values) >= self._capacity:
            bucket = self._buckets.get(self._min_freq) or self._buckets[min(self._buckets)]
            victim, _ = bucket.popitem(last=False)
            for freq in [f for f, b in self._buckets.items() if not b]:
                del self._buckets[freq]
            del self._values[victim]
            del self._freq[victim]
        self._values[key] = value
        self._freq[key] = 1
        self._buckets.setdefault(1, OrderedDict())[key] = None
        if self._min_freq == 0:
            self._min_freq = 1
