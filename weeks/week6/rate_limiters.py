"""Drill (30 min): token bucket, leaky bucket, fixed window and sliding window log limiters.

The prompt
----------
An API gateway must cap how often each client (``key``: an API key, an IP) may call it. Implement
four in-memory limiters behind one interface, :class:`RateLimiter`::

    limiter.allow(key, now) -> Decision(allowed, retry_after, delay)
    limiter.purge(now) -> int      # forget idle keys, return how many were dropped
    len(limiter)                   # how many keys the limiter holds state for

``now`` is the request time in seconds, passed in by the caller (an injected clock: never call
``time.time()`` yourself, or nothing can be tested precisely). [#injected-clock] ``now`` never
decreases for a key; if it does, treat the elapsed time as 0. [#time-backwards] Keys are
independent. [#keys-independent] A rejected request never consumes anything. [#rejected-free]
``retry_after`` is 0.0 for an allowed request; for a rejected one it is the exact number of
seconds after which the same request *would* be allowed (if nothing else happens meanwhile).
[#retry-after]

1. ``TokenBucket(capacity, rate)``: every key starts with a full bucket of ``capacity`` tokens;
   [#token-start-full] the bucket refills continuously at ``rate`` tokens per second, never above
   ``capacity``. [#token-refill] A request takes one token if at least one is there.
   ``retry_after = (1 - tokens) / rate``. [#token-retry]
2. ``LeakyBucket(capacity, rate)``: a queue of at most ``capacity`` requests that drains at
   ``rate`` requests per second (traffic *shaping*). Track the queue ``level`` (a float, drained
   continuously: ``level - elapsed * rate``, never below 0). [#leaky-drain] A request is allowed
   if ``level + 1 <= capacity``; it then waits ``delay = level / rate`` seconds before it is
   processed and the level grows by one. [#leaky-delay] Rejected:
   ``retry_after = (level + 1 - capacity) / rate``. [#leaky-retry]
3. ``FixedWindow(limit, window)``: at most ``limit`` requests per key in each window
   ``[k * window, (k + 1) * window)`` (``k = floor(now / window)``; windows are aligned to 0).
   [#fixed-aligned] ``retry_after`` = time until the next window starts. [#fixed-retry] Note the
   weakness: ``limit`` requests just before a boundary plus ``limit`` just after it make
   ``2 * limit`` within a few milliseconds.
4. ``SlidingWindowLog(limit, window)``: at most ``limit`` *allowed* requests in any window of
   ``window`` seconds. Keep a log of allowed request times per key; at ``now`` the entries with
   ``t <= now - window`` have expired. [#sliding-expiry] Rejected requests are not logged.
   [#sliding-rejected] ``retry_after = oldest_entry + window - now``. [#sliding-retry]

``purge(now)`` drops every key whose state at ``now`` is the same as a brand-new key's (a full
token bucket, an empty leaky bucket, a fixed window older than the current one, a log with no
live entry) and returns how many keys it dropped: [#purge] without it, a limiter facing
millions of one-off clients grows without bound. ``len(limiter)`` counts the keys with state.
[#len]

Every limiter must be thread-safe: web servers call ``allow`` from many threads at once, and a
limiter that reads the state, computes, then writes it back without a lock lets two threads
spend the same token. [#thread-safe] The grader hammers ``allow`` from 16 threads with a
frozen clock and counts the grants.

Complexity: ``allow`` in O(1) amortised (the log pops expired entries from the left of a
``collections.deque``); [#allow-o1] ``purge`` in O(number of keys). [#purge-linear]

Examples::

    >>> bucket = TokenBucket(capacity=2, rate=0.5)
    >>> [bucket.allow("alice", 0.0).allowed for _ in range(3)]
    [True, True, False]
    >>> bucket.allow("alice", 0.0).retry_after     # one token takes 1 / 0.5 = 2 s
    2.0
    >>> bucket.allow("alice", 2.0).allowed
    True
    >>> log = SlidingWindowLog(limit=2, window=10.0)
    >>> [log.allow("bob", t).allowed for t in (0.0, 5.0, 9.0, 10.0)]
    [True, True, False, True]

Given (do not change): :class:`Decision`, :class:`RateLimiter` and the parameter checks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

__all__ = [
    "Decision",
    "FixedWindow",
    "LeakyBucket",
    "RateLimiter",
    "SlidingWindowLog",
    "TokenBucket",
]


@dataclass(frozen=True)
class Decision:
    """The answer to one request.

    Attributes:
        allowed: whether the request may proceed.
        retry_after: seconds until a retry could succeed (0.0 when allowed).
        delay: leaky bucket only: seconds the allowed request waits in the queue before it is
            processed (0.0 for the other limiters and for rejected requests).
    """

    allowed: bool
    retry_after: float = 0.0
    delay: float = 0.0


class RateLimiter(ABC):
    """The interface every limiter implements (the grader drives them all the same way)."""

    @abstractmethod
    def allow(self, key: str, now: float) -> Decision:
        """Decide on one request of client ``key`` arriving at time ``now`` (seconds)."""

    @abstractmethod
    def purge(self, now: float) -> int:
        """Forget every key whose state at ``now`` equals a brand-new key's; return how many."""

    @abstractmethod
    def __len__(self) -> int:
        """How many keys the limiter currently holds state for."""


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value!r}")


class TokenBucket(RateLimiter):
    """Bursts up to ``capacity``, then ``rate`` requests per second on average."""

    def __init__(self, capacity: int, rate: float) -> None:
        """Create the limiter.

        Args:
            capacity: tokens in a full bucket (the largest burst).
            rate: tokens added per second.

        Raises:
            ValueError: ``capacity`` or ``rate`` is not positive.
        """
        _check_positive(capacity=capacity, rate=rate)
        self.capacity = capacity
        self.rate = rate
        # TODO: per-key state, e.g. {key: (tokens, last_time)}, and a threading.Lock
        raise NotImplementedError("TokenBucket.__init__: add the per-key state and a lock")

    def allow(self, key: str, now: float) -> Decision:
        """Refill ``key``'s bucket up to ``now``, then take a token if there is one.

        Returns:
            ``Decision(True)``, or ``Decision(False, (1 - tokens) / rate)``.
        """
        # TODO: tokens = min(capacity, tokens + elapsed * rate); then decide, under the lock
        raise NotImplementedError("TokenBucket.allow")

    def purge(self, now: float) -> int:
        """Drop the keys whose bucket is full again at ``now``; return how many."""
        # TODO
        raise NotImplementedError("TokenBucket.purge")

    def __len__(self) -> int:
        """Number of keys with state."""
        # TODO
        raise NotImplementedError("TokenBucket.__len__")


class LeakyBucket(RateLimiter):
    """A queue of at most ``capacity`` requests that drains at ``rate`` requests per second."""

    def __init__(self, capacity: int, rate: float) -> None:
        """Create the limiter.

        Args:
            capacity: the most requests the queue may hold.
            rate: requests processed (drained) per second.

        Raises:
            ValueError: ``capacity`` or ``rate`` is not positive.
        """
        _check_positive(capacity=capacity, rate=rate)
        self.capacity = capacity
        self.rate = rate
        # TODO: per-key state, e.g. {key: (level, last_time)}, and a threading.Lock
        raise NotImplementedError("LeakyBucket.__init__: add the per-key state and a lock")

    def allow(self, key: str, now: float) -> Decision:
        """Drain ``key``'s queue up to ``now``, then queue the request if it fits.

        Returns:
            ``Decision(True, 0.0, level / rate)`` (``level`` before adding this request), or
            ``Decision(False, (level + 1 - capacity) / rate)``.
        """
        # TODO
        raise NotImplementedError("LeakyBucket.allow")

    def purge(self, now: float) -> int:
        """Drop the keys whose queue is empty at ``now``; return how many."""
        # TODO
        raise NotImplementedError("LeakyBucket.purge")

    def __len__(self) -> int:
        """Number of keys with state."""
        # TODO
        raise NotImplementedError("LeakyBucket.__len__")


class FixedWindow(RateLimiter):
    """At most ``limit`` requests in each window ``[k * window, (k + 1) * window)``."""

    def __init__(self, limit: int, window: float) -> None:
        """Create the limiter.

        Args:
            limit: requests allowed per window and key.
            window: window length in seconds.

        Raises:
            ValueError: ``limit`` or ``window`` is not positive.
        """
        _check_positive(limit=limit, window=window)
        self.limit = limit
        self.window = window
        # TODO: per-key state, e.g. {key: (window_index, count)}, and a threading.Lock
        raise NotImplementedError("FixedWindow.__init__: add the per-key state and a lock")

    def allow(self, key: str, now: float) -> Decision:
        """Count the request in the window holding ``now`` if the window is not full.

        Returns:
            ``Decision(True)``, or ``Decision(False, next_window_start - now)``.
        """
        # TODO: index = math.floor(now / window); a new index starts a new count
        raise NotImplementedError("FixedWindow.allow")

    def purge(self, now: float) -> int:
        """Drop the keys whose window is not the one holding ``now``; return how many."""
        # TODO
        raise NotImplementedError("FixedWindow.purge")

    def __len__(self) -> int:
        """Number of keys with state."""
        # TODO
        raise NotImplementedError("FixedWindow.__len__")


class SlidingWindowLog(RateLimiter):
    """At most ``limit`` allowed requests in any window of ``window`` seconds (a timestamp log)."""

    def __init__(self, limit: int, window: float) -> None:
        """Create the limiter.

        Args:
            limit: requests allowed in any window of ``window`` seconds, per key.
            window: window length in seconds.

        Raises:
            ValueError: ``limit`` or ``window`` is not positive.
        """
        _check_positive(limit=limit, window=window)
        self.limit = limit
        self.window = window
        # TODO: per-key state, e.g. {key: collections.deque of allowed times}, and a lock
        raise NotImplementedError("SlidingWindowLog.__init__: add the per-key state and a lock")

    def allow(self, key: str, now: float) -> Decision:
        """Expire entries ``t <= now - window``, then log ``now`` if fewer than ``limit`` remain.

        Returns:
            ``Decision(True)``, or ``Decision(False, oldest + window - now)``.
        """
        # TODO
        raise NotImplementedError("SlidingWindowLog.allow")

    def purge(self, now: float) -> int:
        """Drop the keys with no live entry at ``now``; return how many."""
        # TODO
        raise NotImplementedError("SlidingWindowLog.purge")

    def __len__(self) -> int:
        """Number of keys with state."""
        # TODO
        raise NotImplementedError("SlidingWindowLog.__len__")
