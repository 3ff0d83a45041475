"""Drill (medium, 30 minutes): top-k frequent predictions in a stream.

The prompt
----------
"Which medications did the classifier predict most often this hour?" Implement:

``top_k_frequent(items, k)``
    exact answer: the ``k`` most frequent items of the iterable ``items`` as a list of
    ``(item, count)`` pairs, by decreasing count; **equal counts are ordered by increasing item**
    (``"aspirin"`` before ``"ibuprofen"``), which is *not* what ``Counter.most_common`` does
    (it keeps first-seen order). [#order] Fewer than ``k`` distinct items: return them all.
    [#fewer-than-k] ``k = 0`` gives ``[]``; ``k < 0`` raises ``ValueError`` (when called, even
    for an empty stream). [#k-range] Count with a dict/``Counter`` (O(n)) and select with a
    size-k heap (``heapq.nsmallest`` with a key), O(n + d log k) for d distinct items (a full
    sort, O(d log d), is accepted too). [#complexity]

``CountMinSketch(width, depth, seed=0)``
    for streams too large to count exactly: ``depth`` rows of ``width`` integer counters.
    ``add(item, count=1)`` adds ``count`` to one counter per row, chosen by that row's hash of
    ``item``; ``estimate(item)`` returns the **minimum** of the item's ``depth`` counters (an
    int); [#estimate] ``total`` (property) is the sum of all counts added. [#total] Estimates
    never undercount, [#never-undercount] and with probability at least ``1 - exp(-depth)`` an
    item's estimate exceeds its true count by at most ``e / width * total`` (Cormode and
    Muthukrishnan, 2005). [#error-bound]

    Hashing: the rows need *different*, independent hash functions (one shared hash makes all
    rows identical and the sketch as bad as one row), [#independent-rows] and the hashes must
    be **stable across processes** (shards built by different workers are merged): never
    Python's ``hash()``, which is salted per process for strings. [#stable-hashes] Derive them
    from ``hashlib`` (e.g. ``blake2b`` of ``str(item).encode()``) with the ``seed``, e.g.
    ``(a_i * h + b_i) % p % width`` for row i. Same seed, same hashes. [#seeded] ``width < 1`` or
    ``depth < 1`` or ``count < 0``: ``ValueError``. [#sketch-args]

``HeavyHitters(k, width, depth, seed=0)``
    a Count-Min sketch plus at most ``k`` candidate items: ``add(item, count=1)`` updates the
    sketch, then keeps ``item`` as a candidate if it already is one, if there is room, or if its
    estimate is strictly larger than the smallest candidate estimate (which it evicts; among
    equal smallest estimates, the smallest item is evicted). [#candidates] ``top()`` returns
    the candidates with their current estimates, sorted like ``top_k_frequent``. [#top] Memory:
    O(width * depth + k), independent of the number of distinct items. [#memory] ``k < 1``:
    ``ValueError``. [#hh-k]

Items are hashable and orderable (strings or ints).

Example::

    >>> top_k_frequent(["b", "a", "b", "c", "a", "d"], 2)
    [('a', 2), ('b', 2)]
    >>> sketch = CountMinSketch(width=100, depth=4)
    >>> sketch.add("aspirin", 3); sketch.add("ibuprofen")
    >>> sketch.estimate("aspirin") >= 3, sketch.total
    (True, 4)

The grader checks exact results and tie order, that estimates never undercount, the error bound
on a Zipf stream, and that a sketch built in another process gives the same estimates.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

__all__ = ["CountMinSketch", "HeavyHitters", "top_k_frequent"]


def top_k_frequent(items: Iterable[Hashable], k: int) -> list[tuple[Hashable, int]]:
    """The ``k`` most frequent items, exactly.

    Args:
        items: any iterable of hashable, orderable items (read once).
        k: how many to return, ``>= 0``.

    Returns:
        ``(item, count)`` pairs by decreasing count, ties by increasing item.

    Raises:
        ValueError: if ``k < 0``.
    """
    # TODO: Counter, then heapq.nsmallest(k, counts.items(), key=...).
    raise NotImplementedError


class CountMinSketch:
    """Approximate counts in O(width * depth) memory; never undercounts."""

    def __init__(self, width: int, depth: int, seed: int = 0) -> None:
        """Allocate ``depth`` rows of ``width`` zero counters and the row hashes.

        Raises:
            ValueError: if ``width < 1`` or ``depth < 1``.
        """
        # TODO
        raise NotImplementedError

    @property
    def total(self) -> int:
        """Sum of all counts added so far."""
        # TODO
        raise NotImplementedError

    def add(self, item: Hashable, count: int = 1) -> None:
        """Add ``count`` to one counter per row.

        Raises:
            ValueError: if ``count < 0``.
        """
        # TODO
        raise NotImplementedError

    def estimate(self, item: Hashable) -> int:
        """The minimum over the rows of the item's counter (an upper bound of its count)."""
        # TODO
        raise NotImplementedError


class HeavyHitters:
    """Approximate top-k of a stream: a Count-Min sketch and at most k candidates."""

    def __init__(self, k: int, width: int, depth: int, seed: int = 0) -> None:
        """An empty tracker.

        Raises:
            ValueError: if ``k < 1`` (or the sketch's arguments are invalid).
        """
        # TODO
        raise NotImplementedError

    def add(self, item: Hashable, count: int = 1) -> None:
        """Count ``item``; keep it as a candidate if it beats the weakest one."""
        # TODO
        raise NotImplementedError

    def top(self) -> list[tuple[Hashable, int]]:
        """Candidates with current estimates, by decreasing estimate, ties by increasing item."""
        # TODO
        raise NotImplementedError
