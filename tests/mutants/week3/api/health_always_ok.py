"""Bug: /health reports the cache as "ok" without asking Redis."""

from rxvision.serving.cache import PredictionCache
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import __all__  # noqa: F401


async def _always_ok(self: PredictionCache) -> str:
    return "ok"


PredictionCache.state = _always_ok
