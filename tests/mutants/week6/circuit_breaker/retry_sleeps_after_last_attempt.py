"""Bug: retry sleeps once more after the final failed attempt before raising."""

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
    rng = rng if rng is not None else random.Random()
    last: BaseException | None = None
    for attempt in range(attempts):
        try:
            return fn()
        except retry_on as exc:
            last = exc
            sleep(rng.uniform(0, min(cap, base * 2**attempt)))
    assert last is not None
    raise last
