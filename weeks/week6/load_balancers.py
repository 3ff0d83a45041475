"""Drill (30 min): load-balancing algorithms behind one interface.

Four RxVision inference servers sit behind a balancer. Write the algorithms nginx and HAProxy
offer, each as a subclass of one base class that does the bookkeeping.

``LoadBalancer(backends)`` (abstract base; ``backends`` a non-empty sequence of distinct names,
else ``ValueError``) [#backends-valid] keeps, per backend, a health flag and a count of *active*
connections:

- ``backends``: tuple of all backends in the order given; ``healthy()``: list of those not marked
  down, same order. ``mark_down(b)`` / ``mark_up(b)``: a failed / passed health check. [#health]
- ``pick(request) -> backend``: if no backend is healthy, raise ``NoHealthyBackendError``;
  otherwise ``backend = self.choose(request, self.healthy())``, count one more active connection
  on it, return it. [#pick] ``choose`` is the algorithm, the only method subclasses write.
- ``release(backend)``: the request finished: one fewer active connection. Releasing a backend
  with 0 active connections raises ``ValueError`` (a double release is a bug in the caller).
  [#release]
- ``active(backend) -> int``: its active connections. [#active]
- ``acquire(request)``: a context manager: ``with lb.acquire(req) as backend: ...`` picks, and
  releases when the block ends, *also when it raises*. [#acquire]
- Unknown backend names given to ``mark_down``, ``mark_up``, ``active``, ``release``: ``KeyError``.
  [#unknown-backend]

The algorithms (``choose(request, healthy)``; ``healthy`` is never empty):

- ``RoundRobin(backends)``: each backend in turn, in order; [#round-robin] down backends are
  skipped (even several in a row), so each healthy backend gets exactly one of every
  ``len(healthy)`` picks. [#rr-skips]
- ``SmoothWeightedRoundRobin(weights)`` (``{name: int >= 1}``, else ``ValueError``;
  [#swrr-valid] property ``weights``, a copy): [#swrr-weights] nginx's algorithm. Every backend
  has a ``current`` value, initially 0. On each pick: for every *healthy* backend
  ``current += weight``; choose the largest ``current`` (ties: the earliest backend); subtract
  the total weight of the healthy backends from the chosen one's ``current``. [#swrr] Down
  backends are left out (their ``current`` is frozen). [#swrr-down]
  Weights ``a=5, b=1, c=1`` give ``a a b a c a a`` and repeat: smooth, not ``a a a a a b c``.
- ``LeastConnections(backends, rng=None)``: the healthy backend with the fewest active
  connections; [#least-connections] ties broken uniformly at random with ``rng.choice``
  [#lc-ties] (``rng`` a ``random.Random``; ``None`` means a new unseeded one). [#rng-default]
  Without ``release`` it degrades into round-robin, so ``release`` matters.
- ``PowerOfTwoChoices(backends, rng=None)``: draw two *distinct* healthy backends with
  ``rng.sample(healthy, 2)`` and take the one with fewer active connections (tie: the first
  drawn); [#p2c] with one healthy backend, take it. [#p2c-single] Nearly as good as least
  connections without looking at every backend.
- ``IPHash(backends)``: sticky sessions: ``int(hashlib.sha256(ip.encode()).hexdigest(), 16)``
  modulo ``len(healthy)`` indexes the healthy list. [#ip-hash] The same client always lands on
  the same backend while the healthy set stays the same, in every process (never Python's
  salted ``hash()``). [#ip-hash-stable] Note how many clients move when a backend goes down:
  consistent hashing is the fix (next drill).

Example::

    >>> lb = SmoothWeightedRoundRobin({"a": 5, "b": 1, "c": 1})
    >>> "".join(lb.pick(Request("10.0.0.1")) for _ in range(7))
    'aabacaa'
    >>> lc = LeastConnections(["gpu-0", "gpu-1"], rng=random.Random(0))
    >>> with lc.acquire(Request("10.0.0.1")) as backend:
    ...     lc.active(backend)
    1
"""

from __future__ import annotations

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
    """What a balancer may look at: the client's IP address and the path. (Given.)"""

    client_ip: str
    path: str = "/v1/predict"


class NoHealthyBackendError(RuntimeError):
    """Every backend is marked down. (Given.)"""


class LoadBalancer(ABC):
    """Common bookkeeping: health, active connections, ``pick``/``release``/``acquire``."""

    def __init__(self, backends: Sequence[str]) -> None:
        """Store the backends (all healthy, 0 active connections each).

        Raises:
            ValueError: ``backends`` is empty or has duplicates.
        """
        # TODO
        raise NotImplementedError

    @property
    def backends(self) -> tuple[str, ...]:
        """All backends, healthy or not, in the order given."""
        # TODO
        raise NotImplementedError

    def healthy(self) -> list[str]:
        """The backends not marked down, in the order given."""
        # TODO
        raise NotImplementedError

    def mark_down(self, backend: str) -> None:
        """Stop sending requests to ``backend``. Raises ``KeyError`` if unknown."""
        # TODO
        raise NotImplementedError

    def mark_up(self, backend: str) -> None:
        """Send requests to ``backend`` again. Raises ``KeyError`` if unknown."""
        # TODO
        raise NotImplementedError

    def active(self, backend: str) -> int:
        """Requests picked for ``backend`` and not released yet. ``KeyError`` if unknown."""
        # TODO
        raise NotImplementedError

    def pick(self, request: Request) -> str:
        """``self.choose(request, self.healthy())``, plus one active connection on the result.

        Raises:
            NoHealthyBackendError: every backend is down.
        """
        # TODO
        raise NotImplementedError

    def release(self, backend: str) -> None:
        """One fewer active connection on ``backend``.

        Raises:
            KeyError: unknown backend.
            ValueError: ``backend`` has no active connection to release.
        """
        # TODO
        raise NotImplementedError

    @contextmanager
    def acquire(self, request: Request) -> Iterator[str]:
        """Pick a backend, yield it, and release it at the end of the block, even on error."""
        # TODO: try/finally around the yield
        raise NotImplementedError

    @abstractmethod
    def choose(self, request: Request, healthy: list[str]) -> str:
        """The algorithm: one of ``healthy`` (never empty) for ``request``. (Given: abstract.)"""


class RoundRobin(LoadBalancer):
    """Each healthy backend in turn, skipping backends that are down."""

    def __init__(self, backends: Sequence[str]) -> None:
        # TODO: super().__init__(backends), then a cursor
        raise NotImplementedError

    def choose(self, request: Request, healthy: list[str]) -> str:
        # TODO
        raise NotImplementedError


class SmoothWeightedRoundRobin(LoadBalancer):
    """nginx's smooth weighted round-robin: weights 5, 1, 1 give a a b a c a a."""

    def __init__(self, weights: Mapping[str, int]) -> None:
        """Backends are the keys of ``weights``, in order. ``ValueError`` unless every weight
        is an int >= 1."""
        # TODO
        raise NotImplementedError

    @property
    def weights(self) -> dict[str, int]:
        """A copy of the weights."""
        # TODO
        raise NotImplementedError

    def choose(self, request: Request, healthy: list[str]) -> str:
        # TODO: current += weight for healthy backends; take the max; subtract the total
        raise NotImplementedError


class LeastConnections(LoadBalancer):
    """The healthy backend with the fewest active connections; ties broken at random."""

    def __init__(self, backends: Sequence[str], rng: random.Random | None = None) -> None:
        # TODO
        raise NotImplementedError

    def choose(self, request: Request, healthy: list[str]) -> str:
        # TODO: self._rng.choice among the backends tied for the fewest connections
        raise NotImplementedError


class PowerOfTwoChoices(LoadBalancer):
    """Two distinct healthy backends drawn at random; the one with fewer connections wins."""

    def __init__(self, backends: Sequence[str], rng: random.Random | None = None) -> None:
        # TODO
        raise NotImplementedError

    def choose(self, request: Request, healthy: list[str]) -> str:
        # TODO: self._rng.sample(healthy, 2)
        raise NotImplementedError


class IPHash(LoadBalancer):
    """Sticky sessions: SHA-256 of the client IP modulo the number of healthy backends."""

    def choose(self, request: Request, healthy: list[str]) -> str:
        # TODO
        raise NotImplementedError
