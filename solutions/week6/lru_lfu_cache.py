"""LRU and LFU caches with O(1) ``get`` and ``put``, and a simulator to compare their hit ratios.

Reference solution of the drill ``week6.lru_lfu_cache`` (the prompt is the stub's docstring).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Any

__all__ = ["LFUCache", "LRUCache", "simulate"]

_MISSING = object()


def _check_capacity(capacity: int) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        raise ValueError(f"capacity must be an int >= 0, got {capacity!r}")
    return capacity


class LRUCache:
    """Least-recently-used cache: a hash map whose order is the recency order."""

    def __init__(self, capacity: int) -> None:
        self._capacity = _check_capacity(capacity)
        self._data: OrderedDict[Hashable, Any] = OrderedDict()  # LRU first, MRU last
        self._hits = 0
        self._misses = 0

    @property
    def capacity(self) -> int:
        """The maximum number of entries."""
        return self._capacity

    @property
    def hits(self) -> int:
        """Number of ``get`` calls that found their key."""
        return self._hits

    @property
    def misses(self) -> int:
        """Number of ``get`` calls that did not find their key."""
        return self._misses

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value of ``key`` (now the most recently used), or ``default`` on a miss."""
        try:
            value = self._data[key]
        except KeyError:
            self._misses += 1
            return default
        self._data.move_to_end(key)
        self._hits += 1
        return value

    def put(self, key: Hashable, value: Any) -> None:
        """Insert or update ``key``; evict the least recently used entry when full."""
        if self._capacity == 0:
            return
        if key in self._data:
            self._data[key] = value
            self._data.move_to_end(key)
            return
        if len(self._data) >= self._capacity:
            self._data.popitem(last=False)
        self._data[key] = value

    def keys(self) -> list[Hashable]:
        """The keys in eviction order: least recently used first."""
        return list(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data


class LFUCache:
    """Least-frequently-used cache; ties between equal frequencies evict the least recently used.

    ``_buckets[f]`` holds the keys used exactly ``f`` times, oldest use first; ``_min_freq`` is
    the smallest non-empty bucket, so the victim is ``_buckets[_min_freq]``'s first key.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = _check_capacity(capacity)
        self._values: dict[Hashable, Any] = {}
        self._freq: dict[Hashable, int] = {}
        self._buckets: dict[int, OrderedDict[Hashable, None]] = {}
        self._min_freq = 0
        self._hits = 0
        self._misses = 0

    @property
    def capacity(self) -> int:
        """The maximum number of entries."""
        return self._capacity

    @property
    def hits(self) -> int:
        """Number of ``get`` calls that found their key."""
        return self._hits

    @property
    def misses(self) -> int:
        """Number of ``get`` calls that did not find their key."""
        return self._misses

    def _touch(self, key: Hashable) -> None:
        """Move ``key`` from bucket ``f`` to bucket ``f + 1`` (as its most recent entry)."""
        freq = self._freq[key]
        bucket = self._buckets[freq]
        del bucket[key]
        if not bucket:
            del self._buckets[freq]
            if self._min_freq == freq:
                self._min_freq = freq + 1
        self._freq[key] = freq + 1
        self._buckets.setdefault(freq + 1, OrderedDict())[key] = None

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value of ``key`` (its frequency goes up by one), or ``default`` on a miss."""
        value = self._values.get(key, _MISSING)
        if value is _MISSING:
            self._misses += 1
            return default
        self._touch(key)
        self._hits += 1
        return value

    def put(self, key: Hashable, value: Any) -> None:
        """Insert or update ``key`` (an update is a use); evict the LFU, then LRU, entry if full."""
        if self._capacity == 0:
            return
        if key in self._values:
            self._values[key] = value
            self._touch(key)
            return
        if len(self._values) >= self._capacity:
            bucket = self._buckets[self._min_freq]
            victim, _ = bucket.popitem(last=False)
            if not bucket:
                del self._buckets[self._min_freq]
            del self._values[victim]
            del self._freq[victim]
        self._values[key] = value
        self._freq[key] = 1
        self._buckets.setdefault(1, OrderedDict())[key] = None
        self._min_freq = 1

    def keys(self) -> list[Hashable]:
        """The keys in eviction order: lowest frequency first, least recently used first."""
        return [key for freq in sorted(self._buckets) for key in self._buckets[freq]]

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values


def simulate(trace: Iterable[Hashable], cache: LRUCache | LFUCache) -> float:
    """Replay ``trace`` as a read-through cache and return the fraction of hits (0.0 if empty)."""
    hits = total = 0
    for key in trace:
        total += 1
        if cache.get(key, _MISSING) is _MISSING:
            cache.put(key, key)
        else:
            hits += 1
    return hits / total if total else 0.0
