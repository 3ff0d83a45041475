"""Drill (30 min): Redis Pub/Sub for real-time model updates across API replicas.

The prompt
----------
RxVision25 runs several API replicas. When the registry promotes a new model, every replica must
hot-reload it and drop its local prediction cache (those answers came from the old model), within
a second, without restarting. Write the promotion announcement and the per-replica listener.

Redis Pub/Sub is fire-and-forget: a message reaches only the subscribers connected at that very
moment. A replica that was restarting, or whose connection dropped for a second, misses it
silently. So the announcement is only the fast path; the source of truth is a key holding the
champion version, and every replica *reconciles* against it: when it starts, after its
connection comes back, and every ``reconcile_every`` seconds.

1. ``await publish_promotion(client, version, channel=CHANNEL, key=CHAMPION_KEY)``: first
   ``SET key version`` (the truth), then ``PUBLISH channel '{"version": "<version>"}'`` (a JSON
   object); [#publish] return the number of subscribers that received it (what ``PUBLISH``
   returns). [#publish-count]

2. ``ModelUpdateBus(url, reload, cache=None, *, channel, key, reconcile_every=30.0,
   retry_delay=0.1)``, one per replica, using ``redis.asyncio`` on the Redis at ``url``:

   - ``await bus.start()``: connect, ``SUBSCRIBE channel``, *then* reconcile once (subscribe
     first: a promotion landing between your read and your subscribe would otherwise be lost),
     then listen in a background ``asyncio`` task and return. [#start] Nothing connects in
     ``__init__``. [#lazy-init]
   - Loading a version: if it equals ``bus.version``, do nothing (so each version is loaded
     exactly once, however many messages and reconciles announce it). [#load-once] Otherwise
     call ``reload(version)``; if that raises, log it and keep the old version (a later reconcile
     retries); [#reload-fails] if it succeeds, clear ``cache`` (when given) and set
     ``bus.version``. [#clear-cache]
   - Messages: the JSON of ``publish_promotion``. [#messages] Ignore anything else (not JSON, no
     ``"version"``, a version that is not a string) without crashing the listener. [#junk]
   - ``await bus.reconcile()``: ``GET key``; load that version if the key exists; return True
     when it caused a reload. [#reconcile] Before ``start()`` (or after ``stop()``) it raises
     ``RuntimeError``. [#reconcile-stopped]
   - Every ``reconcile_every`` seconds the listener reconciles (use
     ``pubsub.get_message(ignore_subscribe_messages=True, timeout=...)`` with a short timeout so
     that the loop wakes up regularly). [#periodic]
   - When the connection drops, ``get_message`` raises ``redis.ConnectionError`` once (redis-py
     then reconnects and re-subscribes on the next call): catch it, wait ``retry_delay``
     seconds and reconcile (the champion may have changed while you were away); if Redis is
     still down, keep retrying. The listener must never die. [#reconnect]
   - ``await bus.stop()``: cancel the listener task and wait for it, ``UNSUBSCRIBE``, close the
     pub/sub and the client. Safe to call twice. [#stop] ``start()`` after ``stop()`` starts
     again and keeps ``bus.version`` (a reconnecting replica does not reload what it already
     has). [#restart]
   - ``async with ModelUpdateBus(...) as bus:`` starts and stops it (given).

Every wait in your code needs a bound (``timeout=`` on ``get_message``, short socket timeouts):
a listener stuck on a dead socket is a replica serving a stale model forever. [#bounded-waits]

Example::

    async def main(url):
        loaded = []
        cache = {"sha-of-some-image": "aspirin"}
        async with ModelUpdateBus(url, loaded.append, cache) as bus:
            client = redis.asyncio.from_url(url)
            await publish_promotion(client, "v7")      # returns 1: one replica listening
            await asyncio.sleep(0.1)
            print(bus.version, loaded, cache)          # v7 ['v7'] {}

Given (do not change): :data:`CHANNEL`, :data:`CHAMPION_KEY`, the parameter check, ``version``,
``__aenter__`` and ``__aexit__``.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from types import TracebackType
from typing import Any

import redis.asyncio as aioredis

__all__ = ["CHAMPION_KEY", "CHANNEL", "ModelUpdateBus", "publish_promotion"]

CHANNEL = "rxvision:model-updates"
CHAMPION_KEY = "rxvision:model:champion"


async def publish_promotion(
    client: aioredis.Redis, version: str, *, channel: str = CHANNEL, key: str = CHAMPION_KEY
) -> int:
    """Record ``version`` as the champion, then announce it; return how many replicas heard it.

    Args:
        client: a ``redis.asyncio`` client (not closed here).
        version: the promoted model version, e.g. ``"v7"``.
        channel: the Pub/Sub channel.
        key: the key holding the champion version.

    Returns:
        The number of subscribers the message reached.
    """
    # TODO: SET, then PUBLISH json.dumps({"version": version})
    raise NotImplementedError("publish_promotion")


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
        """Create a stopped bus (no connection yet).

        Args:
            url: the Redis URL, e.g. ``redis://localhost:6379/0``.
            reload: ``reload(version)`` loads that model version (may raise).
            cache: the replica's local cache, cleared after every successful reload.
            channel: the Pub/Sub channel to listen on.
            key: the key holding the champion version.
            reconcile_every: seconds between two reconciles while running.
            retry_delay: seconds to wait after a connection error before reconciling.

        Raises:
            ValueError: ``reconcile_every`` is not positive. [#params]
        """
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
        # TODO: the client, the pub/sub object and the listener task (all None until start)
        raise NotImplementedError("ModelUpdateBus.__init__: add the connection state")

    @property
    def version(self) -> str | None:
        """The model version this replica has loaded (None before the first one)."""
        return self._version

    async def reconcile(self) -> bool:
        """Read the champion key and load it if it differs; True when a reload happened.

        Raises:
            RuntimeError: the bus is not started.
        """
        # TODO
        raise NotImplementedError("ModelUpdateBus.reconcile")

    async def start(self) -> None:
        """Subscribe, catch up with the champion key, and listen in a background task."""
        # TODO: from_url(..., decode_responses=True), pubsub(), subscribe, reconcile, create_task
        raise NotImplementedError("ModelUpdateBus.start")

    async def stop(self) -> None:
        """Stop listening, unsubscribe and close every connection (safe to call twice)."""
        # TODO
        raise NotImplementedError("ModelUpdateBus.stop")

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
