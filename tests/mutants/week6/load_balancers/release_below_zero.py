"""Bug: release() never checks for a double release and drives the count below zero."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


def _release(self: _solution.LoadBalancer, backend: str) -> None:
    self._check(backend)
    self._active[backend] -= 1


class RoundRobin(_solution.RoundRobin):
    release = _release


class SmoothWeightedRoundRobin(_solution.SmoothWeightedRoundRobin):
    release = _release


class LeastConnections(_solution.LeastConnections):
    release = _release


class PowerOfTwoChoices(_solution.PowerOfTwoChoices):
    release = _release


class IPHash(_solution.IPHash):
    release = _release
