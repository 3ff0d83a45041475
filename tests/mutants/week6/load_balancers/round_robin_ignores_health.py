"""Bug: round-robin cycles over every backend, down or not."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class RoundRobin(_solution.RoundRobin):
    def choose(self, request: Request, healthy: list[str]) -> str:
        backend = self._backends[self._cursor % len(self._backends)]
        self._cursor += 1
        return backend
