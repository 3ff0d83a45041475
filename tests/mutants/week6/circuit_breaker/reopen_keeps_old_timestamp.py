"""Bug: a failed trial re-opens the circuit but keeps the first opened_at (no new pause)."""

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import __all__  # noqa: F401


class CircuitBreaker(_CircuitBreaker):
    def _failure(self, trial: bool) -> None:
        if trial:
            with self._lock:
                self._trial_running = False
            return
        super()._failure(trial)
