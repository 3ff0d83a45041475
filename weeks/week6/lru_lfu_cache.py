"""Drill (35 min): LRU and LFU caches in O(1).

The RxVision API caches predictions by image hash. Which entries should a full cache drop? Write
both classic policies and compare them on two access patterns.

``LRUCache(capacity)``: evicts the **least recently used** key. [#lru-policy]
``LFUCache(capacity)``: evicts the **least frequently used** key; among keys with the same
frequency it evicts the least recently used one. [#lfu-policy]

Both classes have the same interface:

- ``__init__(capacity)``: ``capacity`` is an ``int >= 0``; anything else (negative, float, bool)
  raises ``ValueError``. [#capacity]
- ``get(key, default=None)``: the value stored for ``key``, or ``default`` if absent. [#get] A
  hit is a *use* of the key (LRU: it becomes the most recent; LFU: its frequency goes up by
  one). [#get-use] Every ``get`` counts one hit or one miss in the read-only properties ``hits``
  and ``misses``. [#counters]
- ``put(key, value)``: insert or update. Updating an existing key replaces its value and is a
  *use* too (exactly like a hit). [#put-update] Inserting a new key into a full cache first
  evicts one entry. [#put-evict] A new LFU key starts with frequency 1. [#lfu-new-key] With
  ``capacity == 0`` nothing is ever stored. [#capacity-zero] ``put`` does not change
  ``hits``/``misses``. [#put-not-counted]
- ``keys()``: a list of the keys in eviction order (the next victim first): LRU: least recently
  used first; LFU: lowest frequency first, and within a frequency least recently used first.
  This one may be O(n); it is for inspection only. [#keys]
- ``len(cache)``, ``key in cache``: size and membership; membership is *not* a use. [#contains]
- ``capacity``: read-only property. [#read-only]

``get`` and ``put`` must be **O(1)**: no loop, ``min()`` or sort over the entries. The grader
counts how often your code calls ``__hash__``/``__eq__`` on the keys and how many lines of
Python it runs per operation with 1000 entries: a constant is fine, a scan is not. [#o1]
Keys are any hashable objects; equal keys are the same key even if they are different objects
(``1``, ``1.0`` and ``True`` are one key). [#equal-keys]

``simulate(trace, cache) -> float``: replay ``trace`` (an iterable of keys, a generator too) as
a read-through cache: for each key, ``get`` it; on a miss ``put(key, key)``. [#simulate] Return
the fraction of accesses that were hits, counting this trace's accesses only (the cache may be
warm and have counted gets before); ``0.0`` for an empty trace. [#hit-ratio] Values may be
anything, even ``None``, so detect a miss with a private sentinel object, not with
``is None``. [#sentinel]

Example (LeetCode 146 and 460)::

    >>> lru = LRUCache(2)
    >>> lru.put(1, "a"); lru.put(2, "b"); lru.get(1)
    'a'
    >>> lru.put(3, "c")          # evicts 2, the least recently used
    >>> lru.get(2) is None, lru.keys()
    (True, [1, 3])
    >>> lfu = LFUCache(2)
    >>> lfu.put(1, "a"); lfu.put(2, "b"); lfu.get(1)   # freq: 1 -> 2, 2 -> 1
    'a'
    >>> lfu.put(3, "c")          # evicts 2 (lowest frequency)
    >>> lfu.get(3); lfu.put(4, "d")   # 1 and 3 both have freq 2: evict 1 (used longer ago)
    'c'
    >>> lfu.keys()
    [4, 3]
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

__all__ = ["LFUCache", "LRUCache", "simulate"]


class LRUCache:
    """Least-recently-used cache with O(1) ``get`` and ``put`` (see the module docstring)."""

    def __init__(self, capacity: int) -> None:
        """Create an empty cache holding at most ``capacity`` entries.

        Raises:
            ValueError: ``capacity`` is not an int >= 0.
        """
        # TODO: validate, then a hash map whose order is the recency order (OrderedDict)
        raise NotImplementedError

    @property
    def capacity(self) -> int:
        """The maximum number of entries."""
        # TODO
        raise NotImplementedError

    @property
    def hits(self) -> int:
        """Number of ``get`` calls that found their key."""
        # TODO
        raise NotImplementedError

    @property
    def misses(self) -> int:
        """Number of ``get`` calls that did not find their key."""
        # TODO
        raise NotImplementedError

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value of ``key`` (which becomes the most recently used), or ``default``."""
        # TODO: O(1); count the hit or the miss
        raise NotImplementedError

    def put(self, key: Hashable, value: Any) -> None:
        """Insert or update ``key`` (an update is a use); evict the LRU entry when full."""
        # TODO: O(1); capacity 0 stores nothing
        raise NotImplementedError

    def keys(self) -> list[Hashable]:
        """The keys in eviction order: least recently used first."""
        # TODO
        raise NotImplementedError

    def __len__(self) -> int:
        # TODO
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:
        # TODO: membership is not a use
        raise NotImplementedError


class LFUCache:
    """Least-frequently-used cache, LRU among equal frequencies, O(1) ``get`` and ``put``."""

    def __init__(self, capacity: int) -> None:
        """Create an empty cache holding at most ``capacity`` entries.

        Raises:
            ValueError: ``capacity`` is not an int >= 0.
        """
        # TODO: values, key -> frequency, frequency -> keys in recency order, minimum frequency
        raise NotImplementedError

    @property
    def capacity(self) -> int:
        """The maximum number of entries."""
        # TODO
        raise NotImplementedError

    @property
    def hits(self) -> int:
        """Number of ``get`` calls that found their key."""
        # TODO
        raise NotImplementedError

    @property
    def misses(self) -> int:
        """Number of ``get`` calls that did not find their key."""
        # TODO
        raise NotImplementedError

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value of ``key`` (its frequency goes up by one), or ``default``."""
        # TODO: O(1); count the hit or the miss
        raise NotImplementedError

    def put(self, key: Hashable, value: Any) -> None:
        """Insert or update ``key`` (an update is a use); evict the LFU, then LRU, entry if full."""
        # TODO: O(1); a new key has frequency 1; capacity 0 stores nothing
        raise NotImplementedError

    def keys(self) -> list[Hashable]:
        """The keys in eviction order: lowest frequency first, least recently used first."""
        # TODO
        raise NotImplementedError

    def __len__(self) -> int:
        # TODO
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:
        # TODO: membership is not a use
        raise NotImplementedError


def simulate(trace: Iterable[Hashable], cache: LRUCache | LFUCache) -> float:
    """Replay ``trace`` through ``cache`` (get; on a miss, put(key, key)) and return the hit ratio.

    Args:
        trace: the keys accessed, in order.
        cache: an empty or warm cache; it is used and changed in place.

    Returns:
        hits / accesses for this trace only, ``0.0`` if the trace is empty.
    """
    # TODO
    raise NotImplementedError
