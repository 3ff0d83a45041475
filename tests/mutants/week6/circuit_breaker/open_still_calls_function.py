"""Bug: while open, the breaker still calls the function before raising CircuitOpenError."""

from collections.abc import Callable
from typing import Any

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import (
    CircuitOpenError,
    __all__,  # noqa: F401
)


class CircuitBreaker(_CircuitBreaker):
    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return super().call(fn, *args, **kwargs)
        except CircuitOpenError:
            try:
                fn(*args, **kwargs)
            finally:
                raise CircuitOpenError(0.0)  # noqa: B012
