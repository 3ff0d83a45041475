"""Bug: power of two choices draws its two candidates with replacement (may duel itself)."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class PowerOfTwoChoices(_solution.PowerOfTwoChoices):
    def choose(self, request: Request, healthy: list[str]) -> str:
        first, second = self._rng.choice(healthy), self._rng.choice(healthy)
        return first if self._active[first] <= self._active[second] else second
