"""Bug: in half-open every call goes through (a thundering herd on a recovering service)."""

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import __all__  # noqa: F401


class CircuitBreaker(_CircuitBreaker):
    def _before(self) -> bool:
        trial = super()._before()
        self._trial_running = False
        return trial
