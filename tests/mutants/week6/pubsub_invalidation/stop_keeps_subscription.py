"""Bug: stop() cancels the listener but neither unsubscribes nor closes the connections."""

import asyncio

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import ModelUpdateBus as _ModelUpdateBus
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


class ModelUpdateBus(_ModelUpdateBus):
    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
