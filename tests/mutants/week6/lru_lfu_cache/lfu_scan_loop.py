"""Bug: LFU keeps key -> [value, freq, last use] and finds the victim by looping over all items."""

from collections.abc import Hashable
from typing import Any

from solutions.week6 import lru_lfu_cache as _solution
from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import __all__  # noqa: F401


class LFUCache(_solution.LFUCache):
    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self._entries: dict[Hashable, list[Any]] = {}
        self._clock = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            self._misses += 1
            return default
        self._hits += 1
        self._clock += 1
        entry[1] += 1
        entry[2] = self._clock
        return entry[0]

    def put(self, key: Hashable, value: Any) -> None:
        if self._capacity == 0:
            return
        self._clock += 1
        entry = self._entries.get(key)
        if entry is not None:
            entry[0] = value
            entry[1] += 1
            entry[2] = self._clock
            return
        if len(self._entries) >= self._capacity:
            victim, best = None, None
            for k, (_, freq, last) in self._entries.items():
                if best is None or (freq, last) < best:
                    victim, best = k, (freq, last)
            del self._entries[victim]
        self._entries[key] = [value, 1, self._clock]

    def keys(self) -> list[Hashable]:
        return sorted(self._entries, key=lambda k: tuple(self._entries[k][1:]))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries
