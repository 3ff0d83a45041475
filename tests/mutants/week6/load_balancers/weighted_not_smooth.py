"""Bug: plain weighted round-robin: a backend of weight w gets w picks in a row (a a a a a b c)."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class SmoothWeightedRoundRobin(_solution.SmoothWeightedRoundRobin):
    def choose(self, request: Request, healthy: list[str]) -> str:
        schedule = [b for b in healthy for _ in range(self._weights[b])]
        step = getattr(self, "_step", 0)
        self._step = step + 1
        return schedule[step % len(schedule)]
