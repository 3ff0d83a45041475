"""Bug: the token bucket has no lock, so concurrent threads spend the same token twice."""

import contextlib

from solutions.week6.rate_limiters import *  # noqa: F403
from solutions.week6.rate_limiters import TokenBucket as _TokenBucket
from solutions.week6.rate_limiters import __all__  # noqa: F401


class TokenBucket(_TokenBucket):
    def __init__(self, capacity: int, rate: float) -> None:
        super().__init__(capacity, rate)
        self._lock = contextlib.nullcontext()
