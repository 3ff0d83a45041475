"""Bug: once open, the circuit never tries again (no half-open state after reset_timeout)."""

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import __all__  # noqa: F401


class CircuitBreaker(_CircuitBreaker):
    def _state(self, now: float) -> str:
        return self.CLOSED if self._opened_at is None else self.OPEN
