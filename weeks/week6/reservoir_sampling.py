"""Drill (easy, 15 minutes): reservoir sampling from a stream.

The prompt
----------
A stream of predictions arrives one at a time; you cannot store it and do not know its length.
Keep a fair sample of it. Implement with the standard library only:

``reservoir_sample(stream, k, rng)``
    Algorithm R (Vitter): a uniform random sample of ``k`` items without replacement, every
    k-subset equally likely. [#uniform] Keep the first ``k`` items; then item ``i`` (0-based)
    replaces a random slot with probability ``k / (i + 1)``: draw ``j = rng.randrange(i + 1)``
    and replace ``reservoir[j]`` when ``j < k``. [#algorithm-r]
``weighted_reservoir_sample(stream, k, rng)``
    A-Res (Efraimidis and Spirakis, 2006): ``stream`` yields ``(item, weight)`` pairs with
    ``weight > 0``; give each item the key ``u ** (1 / weight)`` with ``u = rng.random()`` (one
    draw per item, in stream order) and keep the ``k`` items with the **largest** keys (a
    min-heap of size k). [#largest-keys] With ``k = 1`` an item is chosen with probability
    ``weight / total weight``. [#proportional] Return the items by decreasing key.
    [#decreasing-key]

Both functions:

- read ``stream`` (any iterable: a generator, a file, a socket) exactly once, front to back, and
  never call ``len`` on it [#one-pass] or keep more than ``k`` items: memory is O(k) [#memory],
  time O(n) (O(n log k) for the weighted version) [#time];
- use only ``rng`` (a ``random.Random``) for randomness, so a seeded ``rng`` gives a
  reproducible sample; [#rng-only]
- return a list of ``min(k, n)`` items (all items, in stream order, when the stream is shorter
  than ``k`` for ``reservoir_sample``); [#short-stream]
- raise ``ValueError`` when called with ``k < 0``, even on an empty stream [#k-negative] (and,
  in the weighted version, for a weight that is not positive, NaN included). [#weight-positive]

Example::

    >>> reservoir_sample(iter(range(3)), 5, random.Random(0))
    [0, 1, 2]
    >>> len(reservoir_sample((x * x for x in range(10**6)), 10, random.Random(0)))
    10

The grader runs thousands of seeded samplings and applies chi-square tests (``scipy.stats``) to
the frequencies, and feeds a stream that checks how many of its items you still hold.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import TypeVar

__all__ = ["reservoir_sample", "weighted_reservoir_sample"]

T = TypeVar("T")


def reservoir_sample(stream: Iterable[T], k: int, rng: random.Random) -> list[T]:
    """A uniform sample of ``k`` items from a stream of unknown length (Algorithm R).

    Args:
        stream: any iterable, read once.
        k: sample size, ``>= 0``.
        rng: the source of randomness.

    Returns:
        ``min(k, n)`` items.

    Raises:
        ValueError: if ``k < 0``.
    """
    # TODO: one rng.randrange(i + 1) per item after the first k.
    raise NotImplementedError


def weighted_reservoir_sample(
    stream: Iterable[tuple[T, float]], k: int, rng: random.Random
) -> list[T]:
    """A weighted sample without replacement of ``k`` items from a stream (A-Res).

    Args:
        stream: an iterable of ``(item, weight)`` pairs, weights ``> 0``, read once.
        k: sample size, ``>= 0``.
        rng: the source of randomness.

    Returns:
        ``min(k, n)`` items, by decreasing key.

    Raises:
        ValueError: if ``k < 0`` or a weight is not positive.
    """
    # TODO: key = rng.random() ** (1 / weight); heapq.heappush / heapq.heapreplace.
    raise NotImplementedError
