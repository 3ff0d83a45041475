"""Bug: the vnodes argument is ignored: one point per node, so arcs (and loads) are very uneven."""

import bisect

from solutions.week6 import consistent_hashing as _solution
from solutions.week6.consistent_hashing import *  # noqa: F403
from solutions.week6.consistent_hashing import __all__, stable_hash  # noqa: F401


class HashRing(_solution.HashRing):
    def add_node(self, node: str) -> None:
        if node in self._nodes:
            raise ValueError(node)
        self._nodes.add(node)
        point = stable_hash(f"{node}#0")
        index = bisect.bisect_left(self._points, point)
        self._points.insert(index, point)
        self._owners.insert(index, node)
