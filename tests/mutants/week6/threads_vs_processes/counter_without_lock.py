"""Bug: Counter.increment does an unguarded read-modify-write, losing updates under threads."""

from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import __all__  # noqa: F401


class Counter:
    def __init__(self) -> None:
        self._value = 0

    def increment(self, n: int = 1) -> None:
        self._value += n

    @property
    def value(self) -> int:
        return self._value
