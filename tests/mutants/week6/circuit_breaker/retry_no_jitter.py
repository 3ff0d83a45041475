"""Bug: retry sleeps the full bound every time (plain exponential backoff, no jitter)."""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from solutions.week6.circuit_breaker import *  # noqa: F403
from solutions.week6.circuit_breaker import __all__  # noqa: F401

T = TypeVar("T")


def retry(
    fn: Callable[[], T],
    attempts: int = 3,
    base: float = 0.1,
    cap: float = 10.0,
    retry_on: tuple[type[BaseException], ...] = (Exception,),
    sleep: Callable[[float], object] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    if attempts < 1:
        raise ValueError(attempts)
    for attempt in range(attempts):
        try:
            return fn()
        except retry_on:
            if attempt == attempts - 1:
                raise
            sleep(min(cap, base * 2**attempt))
    raise AssertionError
