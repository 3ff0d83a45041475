"""Reference solution of ``week6.rate_limiters``: four in-memory rate limiters, one interface."""

from __future__ import annotations

import math
import threading
from abc import ABC, abstractmethod
from collections import deque
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
        _check_positive(capacity=capacity, rate=rate)
        self.capacity = capacity
        self.rate = rate
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        tokens, last = self._state.get(key, (self.capacity, now))
        return min(self.capacity, tokens + max(0.0, now - last) * self.rate)

    def allow(self, key: str, now: float) -> Decision:
        with self._lock:
            tokens = self._tokens(key, now)
            now = max(now, self._state.get(key, (0.0, now))[1])  # time never runs backwards
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                return Decision(True)
            self._state[key] = (tokens, now)
            return Decision(False, (1 - tokens) / self.rate)

    def purge(self, now: float) -> int:
        with self._lock:
            idle = [key for key in self._state if self._tokens(key, now) >= self.capacity]
            for key in idle:
                del self._state[key]
            return len(idle)

    def __len__(self) -> int:
        return len(self._state)


class LeakyBucket(RateLimiter):
    """A queue of at most ``capacity`` requests that drains at ``rate`` requests per second."""

    def __init__(self, capacity: int, rate: float) -> None:
        _check_positive(capacity=capacity, rate=rate)
        self.capacity = capacity
        self.rate = rate
        self._state: dict[str, tuple[float, float]] = {}  # key -> (queued requests, last time)
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        level, last = self._state.get(key, (0.0, now))
        return max(0.0, level - max(0.0, now - last) * self.rate)

    def allow(self, key: str, now: float) -> Decision:
        with self._lock:
            level = self._level(key, now)
            now = max(now, self._state.get(key, (0.0, now))[1])  # time never runs backwards
            if level + 1 <= self.capacity:
                self._state[key] = (level + 1, now)
                return Decision(True, 0.0, level / self.rate)
            self._state[key] = (level, now)
            return Decision(False, (level + 1 - self.capacity) / self.rate)

    def purge(self, now: float) -> int:
        with self._lock:
            idle = [key for key in self._state if self._level(key, now) <= 0]
            for key in idle:
                del self._state[key]
            return len(idle)

    def __len__(self) -> int:
        return len(self._state)


class FixedWindow(RateLimiter):
    """At most ``limit`` requests in each window ``[k * window, (k + 1) * window)``."""

    def __init__(self, limit: int, window: float) -> None:
        _check_positive(limit=limit, window=window)
        self.limit = limit
        self.window = window
        self._state: dict[str, tuple[int, int]] = {}  # key -> (window index, count)
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> Decision:
        with self._lock:
            index = math.floor(now / self.window)
            start, count = self._state.get(key, (index, 0))
            index = max(index, start)  # a request from an earlier window counts in the current
            if start != index:
                count = 0
            if count < self.limit:
                self._state[key] = (index, count + 1)
                return Decision(True)
            self._state[key] = (index, count)
            return Decision(False, (index + 1) * self.window - now)

    def purge(self, now: float) -> int:
        with self._lock:
            index = math.floor(now / self.window)
            idle = [key for key, (start, _) in self._state.items() if start != index]
            for key in idle:
                del self._state[key]
            return len(idle)

    def __len__(self) -> int:
        return len(self._state)


class SlidingWindowLog(RateLimiter):
    """At most ``limit`` allowed requests in any window of ``window`` seconds (a timestamp log)."""

    def __init__(self, limit: int, window: float) -> None:
        _check_positive(limit=limit, window=window)
        self.limit = limit
        self.window = window
        self._logs: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _expire(self, log: deque[float], now: float) -> None:
        while log and log[0] <= now - self.window:
            log.popleft()

    def allow(self, key: str, now: float) -> Decision:
        with self._lock:
            log = self._logs.setdefault(key, deque())
            if log:
                now = max(now, log[-1])  # time never runs backwards: the log stays sorted
            self._expire(log, now)
            if len(log) < self.limit:
                log.append(now)
                return Decision(True)
            return Decision(False, log[0] + self.window - now)

    def purge(self, now: float) -> int:
        with self._lock:
            idle = []
            for key, log in self._logs.items():
                self._expire(log, now)
                if not log:
                    idle.append(key)
            for key in idle:
                del self._logs[key]
            return len(idle)

    def __len__(self) -> int:
        return len(self._logs)
