"""Load-balancing algorithms behind one interface: round-robin, smooth weighted round-robin,
least connections, power of two choices and IP hash.

Reference solution of the drill ``week6.load_balancers`` (the prompt is the stub's docstring).
"""

from __future__ import annotations

import hashlib
import random
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "IPHash",
    "LeastConnections",
    "LoadBalancer",
    "NoHealthyBackendError",
    "PowerOfTwoChoices",
    "Request",
    "RoundRobin",
    "SmoothWeightedRoundRobin",
]


@dataclass(frozen=True)
class Request:
    """What a balancer may look at: the client's IP address and the path."""

    client_ip: str
    path: str = "/v1/predict"


class NoHealthyBackendError(RuntimeError):
    """Every backend is marked down."""


class LoadBalancer(ABC):
    """Common bookkeeping: health, in-flight connections, ``pick``/``release``/``acquire``."""

    def __init__(self, backends: Sequence[str]) -> None:
        backends = list(backends)
        if not backends:
            raise ValueError("a load balancer needs at least one backend")
        if len(set(backends)) != len(backends):
            raise ValueError(f"backends must be distinct, got {backends}")
        self._backends = tuple(backends)
        self._down: set[str] = set()
        self._active = dict.fromkeys(backends, 0)

    @property
    def backends(self) -> tuple[str, ...]:
        """All backends, healthy or not, in the order given."""
        return self._backends

    def _check(self, backend: str) -> None:
        if backend not in self._active:
            raise KeyError(f"unknown backend {backend!r}; backends: {list(self._backends)}")

    def healthy(self) -> list[str]:
        """The backends not marked down, in the order given."""
        return [b for b in self._backends if b not in self._down]

    def mark_down(self, backend: str) -> None:
        """Stop sending requests to ``backend`` (a failed health check)."""
        self._check(backend)
        self._down.add(backend)

    def mark_up(self, backend: str) -> None:
        """Send requests to ``backend`` again."""
        self._check(backend)
        self._down.discard(backend)

    def active(self, backend: str) -> int:
        """Requests picked for ``backend`` and not released yet."""
        self._check(backend)
        return self._active[backend]

    def pick(self, request: Request) -> str:
        """Choose a healthy backend for ``request`` and count one more active connection on it."""
        healthy = self.healthy()
        if not healthy:
            raise NoHealthyBackendError(f"all backends are down: {list(self._backends)}")
        backend = self.choose(request, healthy)
        self._active[backend] += 1
        return backend

    def release(self, backend: str) -> None:
        """The request sent to ``backend`` finished: one fewer active connection."""
        self._check(backend)
        if self._active[backend] == 0:
            raise ValueError(f"release({backend!r}) without a matching pick")
        self._active[backend] -= 1

    @contextmanager
    def acquire(self, request: Request) -> Iterator[str]:
        """``with lb.acquire(req) as backend:`` picks, and releases even if the body raises."""
        backend = self.pick(request)
        try:
            yield backend
        finally:
            self.release(backend)

    @abstractmethod
    def choose(self, request: Request, healthy: list[str]) -> str:
        """The algorithm: one of ``healthy`` (never empty) for ``request``."""


class RoundRobin(LoadBalancer):
    """Each healthy backend in turn, skipping backends that are down."""

    def __init__(self, backends: Sequence[str]) -> None:
        super().__init__(backends)
        self._cursor = 0

    def choose(self, request: Request, healthy: list[str]) -> str:
        n = len(self._backends)
        for step in range(n):
            index = (self._cursor + step) % n
            if self._backends[index] not in self._down:
                self._cursor = index + 1
                return self._backends[index]
        raise NoHealthyBackendError("all backends are down")  # unreachable: healthy is not empty


class SmoothWeightedRoundRobin(LoadBalancer):
    """nginx's smooth weighted round-robin: weights 5, 1, 1 give a a b a c a a."""

    def __init__(self, weights: Mapping[str, int]) -> None:
        for backend, weight in weights.items():
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
                raise ValueError(f"weight of {backend!r} must be an int >= 1, got {weight!r}")
        super().__init__(list(weights))
        self._weights = dict(weights)
        self._current = dict.fromkeys(weights, 0)

    @property
    def weights(self) -> dict[str, int]:
        """A copy of the weights."""
        return dict(self._weights)

    def choose(self, request: Request, healthy: list[str]) -> str:
        total = 0
        best: str | None = None
        for backend in healthy:
            self._current[backend] += self._weights[backend]
            total += self._weights[backend]
            if best is None or self._current[backend] > self._current[best]:
                best = backend
        assert best is not None
        self._current[best] -= total
        return best


class LeastConnections(LoadBalancer):
    """The healthy backend with the fewest active connections; ties broken at random."""

    def __init__(self, backends: Sequence[str], rng: random.Random | None = None) -> None:
        super().__init__(backends)
        self._rng = rng if rng is not None else random.Random()

    def choose(self, request: Request, healthy: list[str]) -> str:
        fewest = min(self._active[b] for b in healthy)
        return self._rng.choice([b for b in healthy if self._active[b] == fewest])


class PowerOfTwoChoices(LoadBalancer):
    """Two distinct healthy backends drawn at random; the one with fewer connections wins."""

    def __init__(self, backends: Sequence[str], rng: random.Random | None = None) -> None:
        super().__init__(backends)
        self._rng = rng if rng is not None else random.Random()

    def choose(self, request: Request, healthy: list[str]) -> str:
        if len(healthy) == 1:
            return healthy[0]
        first, second = self._rng.sample(healthy, 2)
        return first if self._active[first] <= self._active[second] else second


class IPHash(LoadBalancer):
    """Sticky sessions: SHA-256 of the client IP modulo the number of healthy backends."""

    def choose(self, request: Request, healthy: list[str]) -> str:
        digest = hashlib.sha256(request.client_ip.encode("utf-8")).hexdigest()
        return healthy[int(digest, 16) % len(healthy)]
