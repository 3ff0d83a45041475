"""Bug: "power of two choices" that compares every backend (it is least connections, O(n))."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class PowerOfTwoChoices(_solution.PowerOfTwoChoices):
    def choose(self, request: Request, healthy: list[str]) -> str:
        return min(healthy, key=lambda b: self._active[b])
