"""Reference solution of ``week6.pubsub_invalidation``: model updates over Redis Pub/Sub."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, MutableMapping
from types import TracebackType
from typing import Any

import redis
import redis.asyncio as aioredis

__all__ = ["CHAMPION_KEY", "CHANNEL", "ModelUpdateBus", "publish_promotion"]

CHANNEL = "rxvision:model-updates"
CHAMPION_KEY = "rxvision:model:champion"

log = logging.getLogger(__name__)
_REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, OSError)


async def publish_promotion(
    client: aioredis.Redis, version: str, *, channel: str = CHANNEL, key: str = CHAMPION_KEY
) -> int:
    """Record ``version`` as the champion, then announce it; return how many replicas heard it."""
    await client.set(key, version)
    return int(await client.publish(channel, json.dumps({"version": version})))


class ModelUpdateBus:
    """One API replica's listener: reload the model and clear local caches on promotion."""

    def __init__(
        self,
        url: str,
        reload: Callable[[str], object],
        cache: MutableMapping[Any, Any] | None = None,
        *,
        channel: str = CHANNEL,
        key: str = CHAMPION_KEY,
        reconcile_every: float = 30.0,
        retry_delay: float = 0.1,
    ) -> None:
        if reconcile_every <= 0:
            raise ValueError(f"reconcile_every must be positive, got {reconcile_every}")
        self.url = url
        self.reload = reload
        self.cache = cache
        self.channel = channel
        self.key = key
        self.reconcile_every = reconcile_every
        self.retry_delay = retry_delay
        self._version: str | None = None
        self._client: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._task: asyncio.Task[None] | None = None

    @property
    def version(self) -> str | None:
        """The model version this replica has loaded (None before the first one)."""
        return self._version

    def _apply(self, version: str) -> bool:
        if version == self._version:
            return False
        try:
            self.reload(version)
        except Exception:
            log.exception("reloading model %s failed; keeping %s", version, self._version)
            return False
        if self.cache is not None:
            self.cache.clear()
        self._version = version
        return True

    def _on_message(self, data: Any) -> None:
        try:
            payload = json.loads(data)
            version = payload["version"]
        except (ValueError, TypeError, KeyError):
            log.warning("ignoring malformed model update %r", data)
            return
        if isinstance(version, str):
            self._apply(version)

    async def reconcile(self) -> bool:
        """Read the champion key and load it if it differs; True when a reload happened."""
        if self._client is None:
            raise RuntimeError("ModelUpdateBus is not started")
        version = await self._client.get(self.key)
        return version is not None and self._apply(version)

    async def start(self) -> None:
        """Subscribe, catch up with the champion key, and listen in a background task."""
        if self._task is not None:
            return
        self._client = aioredis.from_url(
            self.url, decode_responses=True, socket_connect_timeout=2, socket_timeout=5
        )
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(self.channel)  # subscribe first, then read: no gap
        await self.reconcile()
        self._task = asyncio.create_task(self._listen(), name=f"model-updates:{self.channel}")

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        next_reconcile = loop.time() + self.reconcile_every
        while True:
            try:
                wait = min(1.0, max(0.0, next_reconcile - loop.time()))
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=wait
                )
                if message is not None and message.get("type") == "message":
                    self._on_message(message["data"])
                if loop.time() >= next_reconcile:
                    await self.reconcile()
                    next_reconcile = loop.time() + self.reconcile_every
            except _REDIS_DOWN as exc:
                log.warning("model-update subscription lost (%s); reconnecting", exc)
                await asyncio.sleep(self.retry_delay)
                with contextlib.suppress(*_REDIS_DOWN):
                    await self._pubsub.subscribe(self.channel)  # reconnects if needed
                    await self.reconcile()  # catch up with what we missed
                    next_reconcile = loop.time() + self.reconcile_every

    async def stop(self) -> None:
        """Stop listening, unsubscribe and close every connection (safe to call twice)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(*_REDIS_DOWN):
                await pubsub.unsubscribe(self.channel)
            await pubsub.aclose()
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def __aenter__(self) -> ModelUpdateBus:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
