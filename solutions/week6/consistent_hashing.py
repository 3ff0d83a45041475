"""Consistent hashing with virtual nodes: a sorted ring of positions and binary search.

Reference solution of the drill ``week6.consistent_hashing`` (the prompt is the stub's docstring).
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable

__all__ = ["HashRing", "stable_hash"]


def stable_hash(text: str) -> int:
    """A 64-bit position on the ring: the first 8 bytes of MD5(``text``), big-endian."""
    return int.from_bytes(hashlib.md5(text.encode("utf-8")).digest()[:8], "big")


class HashRing:
    """Maps keys to nodes so that adding or removing a node moves only that node's share."""

    def __init__(self, nodes: Iterable[str] = (), vnodes: int = 100) -> None:
        if isinstance(vnodes, bool) or not isinstance(vnodes, int) or vnodes < 1:
            raise ValueError(f"vnodes must be an int >= 1, got {vnodes!r}")
        self._vnodes = vnodes
        self._points: list[int] = []  # sorted vnode positions
        self._owners: list[str] = []  # owner of the vnode at the same index
        self._nodes: set[str] = set()
        for node in nodes:
            self.add_node(node)

    @property
    def vnodes(self) -> int:
        """Virtual nodes (points on the ring) per node."""
        return self._vnodes

    @property
    def nodes(self) -> list[str]:
        """The nodes on the ring, sorted."""
        return sorted(self._nodes)

    def add_node(self, node: str) -> None:
        """Place ``vnodes`` points ``stable_hash(f"{node}#{i}")`` for ``node`` on the ring."""
        if node in self._nodes:
            raise ValueError(f"node {node!r} is already on the ring")
        self._nodes.add(node)
        for i in range(self._vnodes):
            point = stable_hash(f"{node}#{i}")
            index = bisect.bisect_left(self._points, point)
            self._points.insert(index, point)
            self._owners.insert(index, node)

    def remove_node(self, node: str) -> None:
        """Take every point of ``node`` off the ring."""
        if node not in self._nodes:
            raise KeyError(f"node {node!r} is not on the ring (nodes: {self.nodes})")
        self._nodes.remove(node)
        kept = [(p, o) for p, o in zip(self._points, self._owners, strict=True) if o != node]
        self._points = [p for p, _ in kept]
        self._owners = [o for _, o in kept]

    def _start(self, key: str) -> int:
        if not self._points:
            raise LookupError("the ring is empty: add a node first")
        return bisect.bisect_right(self._points, stable_hash(key)) % len(self._points)

    def get_node(self, key: str) -> str:
        """The owner of the first point clockwise from ``stable_hash(key)``."""
        return self._owners[self._start(key)]

    def get_nodes(self, key: str, n: int) -> list[str]:
        """``n`` distinct nodes for ``key``'s replicas, in clockwise order from the key."""
        start = self._start(key)
        if n < 1 or n > len(self._nodes):
            raise ValueError(f"n must be between 1 and {len(self._nodes)} (the nodes), got {n}")
        found: list[str] = []
        for step in range(len(self._points)):
            owner = self._owners[(start + step) % len(self._points)]
            if owner not in found:
                found.append(owner)
                if len(found) == n:
                    break
        return found

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._nodes
