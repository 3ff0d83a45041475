"""Bug: purge drops every key, also those still inside their window (it resets their limits)."""

from solutions.week6.rate_limiters import *  # noqa: F403
from solutions.week6.rate_limiters import SlidingWindowLog as _SlidingWindowLog
from solutions.week6.rate_limiters import __all__  # noqa: F401


class SlidingWindowLog(_SlidingWindowLog):
    def purge(self, now: float) -> int:
        with self._lock:
            dropped = len(self._logs)
            self._logs.clear()
            return dropped
