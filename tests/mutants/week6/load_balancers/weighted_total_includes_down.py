"""Bug: smooth weighted round-robin subtracts the total weight of ALL backends, down ones too."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class SmoothWeightedRoundRobin(_solution.SmoothWeightedRoundRobin):
    def choose(self, request: Request, healthy: list[str]) -> str:
        best = None
        for backend in healthy:
            self._current[backend] += self._weights[backend]
            if best is None or self._current[backend] > self._current[best]:
                best = backend
        self._current[best] -= sum(self._weights.values())
        return best
