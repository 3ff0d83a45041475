"""Bug: round-robin skips a down backend by taking the next one, which may be down too."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class RoundRobin(_solution.RoundRobin):
    def choose(self, request: Request, healthy: list[str]) -> str:
        n = len(self._backends)
        index = self._cursor % n
        if self._backends[index] in self._down:
            index = (index + 1) % n
        self._cursor = index + 1
        return self._backends[index]
