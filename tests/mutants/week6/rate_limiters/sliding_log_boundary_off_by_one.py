"""Bug: the sliding log keeps entries exactly one window old (expires with < instead of <=)."""

from collections import deque

from solutions.week6.rate_limiters import *  # noqa: F403
from solutions.week6.rate_limiters import SlidingWindowLog as _SlidingWindowLog
from solutions.week6.rate_limiters import __all__  # noqa: F401


class SlidingWindowLog(_SlidingWindowLog):
    def _expire(self, log: deque[float], now: float) -> None:
        while log and log[0] < now - self.window:
            log.popleft()
