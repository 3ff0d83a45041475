"""Bug: the decorator treats async functions as sync: an un-awaited coroutine counts as success."""

from collections.abc import Callable
from typing import Any

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import CircuitBreaker as _CircuitBreaker
from solutions.week6.circuit_breaker import __all__  # noqa: F401


class CircuitBreaker(_CircuitBreaker):
    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return self.call(fn, *args, **kwargs)

        return wrapper
