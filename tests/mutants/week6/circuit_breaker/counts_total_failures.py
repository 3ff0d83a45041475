"""Bug: the breaker counts all failures, not consecutive ones (a success does not reset)."""

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import __all__  # noqa: F401


class CircuitBreaker(_CircuitBreaker):
    def _success(self, trial: bool) -> None:
        with self._lock:
            if trial:
                self._trial_running = False
                self._failures = 0
                self._opened_at = None
