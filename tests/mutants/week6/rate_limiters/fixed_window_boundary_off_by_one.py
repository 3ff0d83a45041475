"""Bug: the fixed window starts a new window only strictly after the boundary (t > end)."""

import math

from solutions.week6.rate_limiters import *  # noqa: F403
from solutions.week6.rate_limiters import (
    Decision,
    __all__,  # noqa: F401
)
from solutions.week6.rate_limiters import FixedWindow as _FixedWindow


class FixedWindow(_FixedWindow):
    def allow(self, key: str, now: float) -> Decision:
        with self._lock:
            index = math.ceil(now / self.window) - 1 if now > 0 else 0
            start, count = self._state.get(key, (index, 0))
            if start != index:
                count = 0
            if count < self.limit:
                self._state[key] = (index, count + 1)
                return Decision(True)
            self._state[key] = (index, count)
            return Decision(False, (index + 1) * self.window - now)
