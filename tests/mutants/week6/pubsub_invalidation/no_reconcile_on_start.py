"""Bug: start() only subscribes; a replica started after a promotion serves the old model."""

import asyncio

import redis.asyncio as aioredis

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import ModelUpdateBus as _ModelUpdateBus
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


class ModelUpdateBus(_ModelUpdateBus):
    async def start(self) -> None:
        if self._task is not None:
            return
        self._client = aioredis.from_url(self.url, decode_responses=True, socket_timeout=5)
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(self.channel)
        self._task = asyncio.create_task(self._listen())
