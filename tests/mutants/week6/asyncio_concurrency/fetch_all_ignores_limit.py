"""Bug: fetch_all has no semaphore: every request is in flight at once, whatever the limit."""

import asyncio
from collections.abc import Sequence

import httpx

from solutions.week6.asyncio_concurrency import *  # noqa: F403
from solutions.week6.asyncio_concurrency import (
    FetchResult,
    __all__,  # noqa: F401
)


async def fetch_all(
    urls: Sequence[str], client: httpx.AsyncClient, limit: int = 10, timeout: float = 5.0
) -> list[FetchResult]:
    if limit < 1:
        raise ValueError(limit)

    async def fetch(url: str) -> FetchResult:
        try:
            async with asyncio.timeout(timeout):
                response = await client.get(url)
                response.raise_for_status()
                return FetchResult(url, data=response.json())
        except Exception as exc:
            return FetchResult(url, error=exc)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(url)) for url in urls]
    return [task.result() for task in tasks]
