"""Bug: after a dropped connection the listener resubscribes but never catches up."""

import asyncio
import contextlib

import redis

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import ModelUpdateBus as _ModelUpdateBus
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


class ModelUpdateBus(_ModelUpdateBus):
    async def _listen(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
                if message is not None and message.get("type") == "message":
                    self._on_message(message["data"])
            except redis.ConnectionError:
                await asyncio.sleep(self.retry_delay)
                with contextlib.suppress(redis.ConnectionError):
                    await self._pubsub.subscribe(self.channel)
