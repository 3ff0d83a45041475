"""Bug: LFU breaks frequency ties by insertion order instead of by the time of last use."""

from collections.abc import Hashable

from solutions.week6 import lru_lfu_cache as _solution
from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import __all__  # noqa: F401


class LFUCache(_solution.LFUCache):
    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self._born: dict[Hashable, int] = {}
        self._clock = 0

    def _touch(self, key: Hashable) -> None:
        freq = self._freq[key]
        bucket = self._buckets[freq]
        del bucket[key]
        if not bucket:
            del self._buckets[freq]
            if self._min_freq == freq:
                self._min_freq = freq + 1
        self._freq[key] = freq + 1
        target = self._buckets.setdefault(freq + 1, type(bucket)())
        target[key] = None
        # keep the bucket sorted by insertion time, not by last use
        for other in sorted(target, key=lambda k: self._born.setdefault(k, 0)):
            target.move_to_end(other)

    def put(self, key: Hashable, value: object) -> None:
        if key not in self._values:
            self._clock += 1
            self._born[key] = self._clock
        super().put(key, value)
