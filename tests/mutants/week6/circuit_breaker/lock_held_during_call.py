"""Bug: the breaker holds its lock while the protected function runs (one slow call blocks all)."""

from collections.abc import Callable
from typing import Any

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import __all__  # noqa: F401


class CircuitBreaker(_CircuitBreaker):
    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            state = self._state(self.clock())
        with self._lock:
            if state == self.CLOSED:
                try:
                    result = fn(*args, **kwargs)
                except Exception:
                    self._failures += 1
                    if self._failures >= self.failure_threshold:
                        self._opened_at = self.clock()
                    raise
                self._failures = 0
                return result
        return super().call(fn, *args, **kwargs)
