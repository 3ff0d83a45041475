"""Bug: set_result on a cancelled caller's future raises InvalidStateError and strands the rest."""

import asyncio
from typing import Any

from solutions.week6.asyncio_concurrency import *  # noqa: F403
from solutions.week6.asyncio_concurrency import MicroBatcher as _MicroBatcher
from solutions.week6.asyncio_concurrency import __all__  # noqa: F401


class MicroBatcher(_MicroBatcher[Any, Any]):
    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        results = list(await self.process([item for item, _ in batch]))
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
