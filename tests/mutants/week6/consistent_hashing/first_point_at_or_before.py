"""Bug: a key goes to the point counter-clockwise (bisect_right - 1), not the next one clockwise."""

import bisect

from solutions.week6 import consistent_hashing as _solution
from solutions.week6.consistent_hashing import *  # noqa: F403
from solutions.week6.consistent_hashing import __all__, stable_hash  # noqa: F401


class HashRing(_solution.HashRing):
    def _start(self, key: str) -> int:
        if not self._points:
            raise LookupError("the ring is empty")
        return (bisect.bisect_right(self._points, stable_hash(key)) - 1) % len(self._points)
