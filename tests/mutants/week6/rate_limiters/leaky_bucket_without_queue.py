"""Bug: the leaky bucket admits requests like a token bucket and never reports a queueing delay."""

from solutions.week6.rate_limiters import *  # noqa: F403
from solutions.week6.rate_limiters import (
    Decision,
    __all__,  # noqa: F401
)
from solutions.week6.rate_limiters import LeakyBucket as _LeakyBucket


class LeakyBucket(_LeakyBucket):
    def allow(self, key: str, now: float) -> Decision:
        decision = super().allow(key, now)
        return Decision(decision.allowed, decision.retry_after)
