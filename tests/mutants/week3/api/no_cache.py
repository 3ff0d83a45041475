"""Bug: never reads the cache, so every request runs the model (and nothing says cached: true)."""

from rxvision.serving.cache import PredictionCache
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import __all__  # noqa: F401


async def _never_hit(self: PredictionCache, key: str) -> str | None:
    return None


PredictionCache.get = _never_hit
