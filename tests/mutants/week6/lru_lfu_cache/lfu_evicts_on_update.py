"""Bug: LFU evicts an entry before checking whether the key is already cached (update on full)."""

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
        if len(self._values) >= self._capacity:
            bucket = self._buckets[self._min_freq]
            victim, _ = bucket.popitem(last=False)
            if not bucket:
                del self._buckets[self._min_freq]
                self._min_freq = min(self._buckets, default=0)
            del self._values[victim]
            del self._freq[victim]
        if key in self._values:
            self._values[key] = value
            self._touch(key)
            return
        self._values[key] = value
        self._freq[key] = 1
        self._buckets.setdefault(1, OrderedDict())[key] = None
        self._min_freq = 1
