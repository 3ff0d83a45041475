"""Bug: the token bucket always answers retry_after = 1 / rate, ignoring the partial token."""

from solutions.week6.rate_limiters import *  # noqa: F403
from solutions.week6.rate_limiters import (
    Decision,
    __all__,  # noqa: F401
)
from solutions.week6.rate_limiters import TokenBucket as _TokenBucket


class TokenBucket(_TokenBucket):
    def allow(self, key: str, now: float) -> Decision:
        decision = super().allow(key, now)
        return decision if decision.allowed else Decision(False, 1 / self.rate)
