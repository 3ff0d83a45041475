"""Bug: LFU put on an existing key replaces the value but does not raise its frequency."""

from collections.abc import Hashable
from typing import Any

from solutions.week6 import lru_lfu_cache as _solution
from solutions.week6.lru_lfu_cache import *  # noqa: F403
from solutions.week6.lru_lfu_cache import __all__  # noqa: F401


class LFUCache(_solution.LFUCache):
    def put(self, key: Hashable, value: Any) -> None:
        if key in self._values:
            self._values[key] = value
            return
        super().put(key, value)
