"""The prediction cache: JSON answers in Redis, keyed by image hash and k; never fails a request.

Any Redis error (down, timeout, refused) counts as a cache miss: the request is answered by the
model and the problem is logged once, when the cache goes from working to failing.
"""

from __future__ import annotations

import asyncio
import logging

from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from rxvision.serving.schemas import CacheState

__all__ = ["KEY_PREFIX", "PredictionCache", "cache_key"]

log = logging.getLogger(__name__)

KEY_PREFIX = "rxvision:predict:"
_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


def cache_key(sha256: str, k: int) -> str:
    """``rxvision:predict:{sha256}:{k}``: the same image asked with another k is another entry."""
    return f"{KEY_PREFIX}{sha256}:{k}"


class PredictionCache:
    """Get and set JSON answers in Redis with a TTL; errors become misses.

    Args:
        url: a ``redis://`` URL.
        ttl: seconds an entry lives.
        timeout: seconds to wait for Redis before giving up on it for this request.
    """

    def __init__(self, url: str, ttl: int, *, timeout: float = 0.5) -> None:
        self.url = url
        self.ttl = ttl
        self._client = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # a down cache must cost one timeout, not retries
        )
        self._healthy = True

    def _failed(self, action: str, exc: BaseException) -> None:
        if self._healthy:
            log.warning("Redis cache %s failed (%s); answering without the cache", action, exc)
        self._healthy = False

    def _worked(self) -> None:
        if not self._healthy:
            log.info("Redis cache is reachable again")
        self._healthy = True

    async def get(self, key: str) -> str | None:
        """The cached JSON for ``key``, or None on a miss or when Redis fails."""
        try:
            value = await self._client.get(key)
        except _ERRORS as exc:
            self._failed("read", exc)
            return None
        self._worked()
        return None if value is None else value.decode()

    async def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds (errors are logged, not raised)."""
        try:
            await self._client.set(key, value, ex=self.ttl)
        except _ERRORS as exc:
            self._failed("write", exc)
        else:
            self._worked()

    async def state(self) -> CacheState:
        """``"ok"`` when Redis answers PING, else ``"unavailable"``."""
        try:
            await self._client.ping()
        except _ERRORS as exc:
            self._failed("ping", exc)
            return "unavailable"
        self._worked()
        return "ok"

    async def aclose(self) -> None:
        """Close the connections (at application shutdown)."""
        try:
            await self._client.aclose()
        except _ERRORS as exc:  # pragma: no cover - closing a dead connection
            log.debug("closing the Redis client failed: %s", exc)
