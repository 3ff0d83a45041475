"""Bug: a trial interrupted by cancellation never frees the trial slot (half-open forever)."""

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import __all__  # noqa: F401


class CircuitBreaker(_CircuitBreaker):
    def _interrupted(self, trial: bool) -> None:
        return None
