"""Bug: no wrap-around: keys hashed past the largest point index past the end of the ring."""

import bisect

from solutions.week6 import consistent_hashing as _solution
from solutions.week6.consistent_hashing import *  # noqa: F403
from solutions.week6.consistent_hashing import __all__, stable_hash  # noqa: F401


class HashRing(_solution.HashRing):
    def _start(self, key: str) -> int:
        if not self._points:
            raise LookupError("the ring is empty")
        return bisect.bisect_right(self._points, stable_hash(key))
