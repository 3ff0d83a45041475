"""Bug: the token bucket refills without the capacity cap: an idle client saves up a huge burst."""

from solutions.week6.rate_limiters import *  # noqa: F403
from solutions.week6.rate_limiters import TokenBucket as _TokenBucket
from solutions.week6.rate_limiters import __all__  # noqa: F401


class TokenBucket(_TokenBucket):
    def _tokens(self, key: str, now: float) -> float:
        tokens, last = self._state.get(key, (self.capacity, now))
        return tokens + max(0.0, now - last) * self.rate
