"""Drill (30 min): consistent hashing with virtual nodes.

RxVision shards its prediction cache over several Redis nodes. With ``hash(key) % n`` (or IP
hash), adding a fifth node to four remaps about 4/5 of all keys: the whole cache goes cold at
once. Consistent hashing remaps only the share the new node takes over, about ``1/(n+1)``.

The ring is the integers ``[0, 2**64)``, closed into a circle.

- ``stable_hash(text)``: the position of a string: the first 8 bytes of ``hashlib.md5`` of its
  UTF-8 encoding, read as a big-endian unsigned int. [#stable-hash] Never use Python's
  ``hash()``: it is salted per process (``PYTHONHASHSEED``), so two API replicas would disagree
  about where a key lives.
- ``HashRing(nodes=(), vnodes=100)``: each node is placed at ``vnodes`` points (*virtual nodes*):
  point ``i`` of node ``"redis-a"`` is ``stable_hash("redis-a#" + str(i))``, for
  ``i = 0 .. vnodes-1``. [#points] Many points per node even out the arc lengths, so the load is
  even. ``vnodes`` must be an ``int >= 1`` (not a bool), else ``ValueError``; so is a
  node given twice. [#ring-valid]
- ``get_node(key)``: the owner of the first point strictly clockwise from ``stable_hash(key)``
  (the first point ``> stable_hash(key)``), [#clockwise] wrapping past ``2**64 - 1`` to the
  smallest point. [#wrap] Keep the points in a sorted list and use ``bisect.bisect_right``:
  O(log(n * vnodes)). [#log-lookup] An empty ring raises ``LookupError``. [#empty-ring]
- ``get_nodes(key, n)``: ``n`` *distinct* nodes for ``n`` replicas: walk clockwise from the key,
  skipping points whose owner is already chosen. The first is ``get_node(key)``; if it dies, the
  second takes over. [#replicas] ``ValueError`` unless ``1 <= n <= len(ring)``; on an empty
  ring, ``LookupError`` whatever ``n``. [#n-range]
- ``add_node(node)`` (``ValueError`` if already present) and ``remove_node(node)``
  (``KeyError`` if absent) add or remove all of its points. [#add-remove]
- ``nodes`` (sorted list of node names), ``vnodes``, ``len(ring)`` (number of nodes) and
  ``node in ring``. [#introspection]

What the grader measures on 10 000 keys: adding an 11th node to 10 moves about 1/11 of the keys,
and all of them to the new node; [#add-moves] removing a node moves only that node's keys,
spread over many other nodes; [#remove-moves] with 200 vnodes no node gets more than 1.35x the
mean load; [#balance] the mapping is the same in every process. [#same-everywhere]

Example::

    >>> ring = HashRing(["redis-a", "redis-b", "redis-c"], vnodes=100)
    >>> owner = ring.get_node("rx:img:3f9a")
    >>> ring.get_nodes("rx:img:3f9a", 2)[0] == owner
    True
    >>> ring.add_node("redis-d")   # keys either stay or move to redis-d
    >>> ring.get_node("rx:img:3f9a") in (owner, "redis-d")
    True
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["HashRing", "stable_hash"]


def stable_hash(text: str) -> int:
    """The ring position of ``text``: MD5 of its UTF-8 bytes, first 8 bytes, big-endian.

    Returns:
        an int in ``[0, 2**64)``, the same in every process and on every machine.
    """
    # TODO: hashlib.md5(...).digest()[:8] and int.from_bytes(..., "big")
    raise NotImplementedError


class HashRing:
    """Consistent-hash ring with virtual nodes (see the module docstring)."""

    def __init__(self, nodes: Iterable[str] = (), vnodes: int = 100) -> None:
        """Create a ring holding ``nodes``, each at ``vnodes`` points.

        Raises:
            ValueError: ``vnodes`` is not an int >= 1, or a node is repeated.
        """
        # TODO: a sorted list of points and a parallel list of their owners; add each node
        raise NotImplementedError

    @property
    def vnodes(self) -> int:
        """Virtual nodes (points on the ring) per node."""
        # TODO
        raise NotImplementedError

    @property
    def nodes(self) -> list[str]:
        """The nodes on the ring, sorted by name."""
        # TODO
        raise NotImplementedError

    def add_node(self, node: str) -> None:
        """Put ``node``'s points ``stable_hash(f"{node}#{i}")`` on the ring, keeping it sorted.

        Raises:
            ValueError: ``node`` is already on the ring.
        """
        # TODO: bisect to keep the points sorted
        raise NotImplementedError

    def remove_node(self, node: str) -> None:
        """Take all of ``node``'s points off the ring.

        Raises:
            KeyError: ``node`` is not on the ring.
        """
        # TODO
        raise NotImplementedError

    def get_node(self, key: str) -> str:
        """The owner of the first point ``> stable_hash(key)``, wrapping around.

        Raises:
            LookupError: the ring is empty.
        """
        # TODO: bisect.bisect_right(points, h) % len(points)
        raise NotImplementedError

    def get_nodes(self, key: str, n: int) -> list[str]:
        """``n`` distinct nodes clockwise from ``key``; the first is ``get_node(key)``.

        Raises:
            ValueError: ``n < 1`` or ``n > len(self)``.
            LookupError: the ring is empty.
        """
        # TODO: walk clockwise from get_node's point, skipping owners already chosen
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of nodes (not points)."""
        # TODO
        raise NotImplementedError

    def __contains__(self, node: object) -> bool:
        # TODO
        raise NotImplementedError
