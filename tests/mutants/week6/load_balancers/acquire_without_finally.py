"""Bug: acquire() releases only when the block succeeds (no try/finally): errors leak."""

from collections.abc import Iterator
from contextlib import contextmanager

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


def _acquire(self: _solution.LoadBalancer, request: Request) -> Iterator[str]:
    backend = self.pick(request)
    yield backend
    self.release(backend)


class RoundRobin(_solution.RoundRobin):
    acquire = contextmanager(_acquire)


class SmoothWeightedRoundRobin(_solution.SmoothWeightedRoundRobin):
    acquire = contextmanager(_acquire)


class LeastConnections(_solution.LeastConnections):
    acquire = contextmanager(_acquire)


class PowerOfTwoChoices(_solution.PowerOfTwoChoices):
    acquire = contextmanager(_acquire)


class IPHash(_solution.IPHash):
    acquire = contextmanager(_acquire)
