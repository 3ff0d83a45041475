"""Bug: ring positions come from Python's salted hash(), so each process maps keys differently."""

import bisect

from solutions.week6 import consistent_hashing as _solution
from solutions.week6.consistent_hashing import *  # noqa: F403
from solutions.week6.consistent_hashing import __all__  # noqa: F401


def _position(text: str) -> int:
    return hash(text) % 2**64


class HashRing(_solution.HashRing):
    def add_node(self, node: str) -> None:
        if node in self._nodes:
            raise ValueError(node)
        self._nodes.add(node)
        for i in range(self._vnodes):
            point = _position(f"{node}#{i}")
            index = bisect.bisect_left(self._points, point)
            self._points.insert(index, point)
            self._owners.insert(index, node)

    def _start(self, key: str) -> int:
        if not self._points:
            raise LookupError("the ring is empty")
        return bisect.bisect_right(self._points, _position(key)) % len(self._points)
