"""Bug: release() does nothing, so least connections counts every request ever sent."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class LeastConnections(_solution.LeastConnections):
    def release(self, backend: str) -> None:
        self._check(backend)
