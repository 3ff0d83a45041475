"""Bug: results go to the oldest waiting callers (a shared FIFO), not to the batch's own callers."""

import asyncio
from collections import deque
from typing import Any

from solutions.week6.asyncio_concurrency import *  # noqa: F403
from solutions.week6.asyncio_concurrency import MicroBatcher as _MicroBatcher
from solutions.week6.asyncio_concurrency import __all__  # noqa: F401


class MicroBatcher(_MicroBatcher[Any, Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting: deque[asyncio.Future[Any]] = deque()

    def _flush(self) -> None:
        self._waiting.extend(future for _, future in self._pending if not future.done())
        super()._flush()

    async def _run(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        results = list(await self.process([item for item, _ in batch]))
        for result in results:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(result)
