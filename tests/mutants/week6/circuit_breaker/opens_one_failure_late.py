"""Bug: the circuit opens only after failure_threshold + 1 failures (> instead of >=)."""

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import __all__  # noqa: F401


class CircuitBreaker(_CircuitBreaker):
    def _failure(self, trial: bool) -> None:
        with self._lock:
            if trial:
                self._trial_running = False
                self._opened_at = self.clock()
                return
            if self._opened_at is not None:
                return
            self._failures += 1
            if self._failures > self.failure_threshold:
                self._opened_at = self.clock()
