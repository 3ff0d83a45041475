"""Bug: no ring: a key goes to nodes[stable_hash(key) % n], so a new node remaps ~all keys."""

from solutions.week6 import consistent_hashing as _solution
from solutions.week6.consistent_hashing import *  # noqa: F403
from solutions.week6.consistent_hashing import __all__, stable_hash  # noqa: F401


class HashRing(_solution.HashRing):
    def get_node(self, key: str) -> str:
        if not self._nodes:
            raise LookupError("the ring is empty")
        nodes = self.nodes
        return nodes[stable_hash(key) % len(nodes)]

    def get_nodes(self, key: str, n: int) -> list[str]:
        nodes = self.nodes
        if n < 1 or n > len(nodes):
            raise ValueError(n)
        start = stable_hash(key) % len(nodes)
        return [nodes[(start + i) % len(nodes)] for i in range(n)]
