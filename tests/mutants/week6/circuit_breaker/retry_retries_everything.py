"""Bug: retry ignores `retry_on` and retries every exception (a 404 is retried five times)."""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from solutions.week6 import circuit_breaker as _solution
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
    return _solution.retry(fn, attempts, base, cap, (Exception,), sleep, rng)
