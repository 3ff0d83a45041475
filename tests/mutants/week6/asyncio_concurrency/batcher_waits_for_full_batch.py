"""Bug: the batcher only flushes full batches; a partial batch waits forever (no max_wait timer)."""

from typing import Any

from solutions.week6.asyncio_concurrency import *  # noqa: F403
from solutions.week6.asyncio_concurrency import MicroBatcher as _MicroBatcher
from solutions.week6.asyncio_concurrency import __all__  # noqa: F401


class MicroBatcher(_MicroBatcher[Any, Any]):
    async def submit(self, item: Any) -> Any:
        if self._closed:
            raise RuntimeError("closed")
        import asyncio

        future = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self.max_batch_size:
            self._flush()
        return await future
