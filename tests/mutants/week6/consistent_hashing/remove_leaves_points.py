"""Bug: remove_node deletes only the node's first point; its other vnodes still own keys."""

from solutions.week6 import consistent_hashing as _solution
from solutions.week6.consistent_hashing import *  # noqa: F403
from solutions.week6.consistent_hashing import __all__  # noqa: F401


class HashRing(_solution.HashRing):
    def remove_node(self, node: str) -> None:
        if node not in self._nodes:
            raise KeyError(node)
        self._nodes.remove(node)
        index = self._owners.index(node)
        del self._points[index], self._owners[index]
