"""Bug: get_nodes returns the owners of the next n points, without skipping repeated nodes."""

from solutions.week6 import consistent_hashing as _solution
from solutions.week6.consistent_hashing import *  # noqa: F403
from solutions.week6.consistent_hashing import __all__  # noqa: F401


class HashRing(_solution.HashRing):
    def get_nodes(self, key: str, n: int) -> list[str]:
        start = self._start(key)
        if n < 1 or n > len(self._nodes):
            raise ValueError(n)
        return [self._owners[(start + i) % len(self._points)] for i in range(n)]
