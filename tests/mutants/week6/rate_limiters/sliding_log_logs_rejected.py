"""Bug: the sliding log records rejected requests too: a client retrying early locks itself out."""

from solutions.week6.rate_limiters import *  # noqa: F403
from solutions.week6.rate_limiters import (
    Decision,
    __all__,  # noqa: F401
)
from solutions.week6.rate_limiters import SlidingWindowLog as _SlidingWindowLog


class SlidingWindowLog(_SlidingWindowLog):
    def allow(self, key: str, now: float) -> Decision:
        decision = super().allow(key, now)
        if not decision.allowed:
            with self._lock:
                self._logs[key].append(now)
        return decision
