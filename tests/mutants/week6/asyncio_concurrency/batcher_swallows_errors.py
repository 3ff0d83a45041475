"""Bug: when process raises, the batcher logs it and answers None to every caller."""

import asyncio
from typing import Any

from solutions.week6.asyncio_concurrency import *  # noqa: F403
from solutions.week6.asyncio_concurrency import MicroBatcher as _MicroBatcher
from solutions.week6.asyncio_concurrency import __all__  # noqa: F401


class MicroBatcher(_MicroBatcher[Any, Any]):
    async def _run(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        try:
            results = list(await self.process([item for item, _ in batch]))
        except Exception:
            results = [None] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
