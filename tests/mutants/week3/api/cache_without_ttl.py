"""Bug: cached answers are stored without an expiry, so they live forever."""

from rxvision.serving.cache import PredictionCache
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import __all__  # noqa: F401


async def _set_forever(self: PredictionCache, key: str, value: str) -> None:
    await self._client.set(key, value)


PredictionCache.set = _set_forever
