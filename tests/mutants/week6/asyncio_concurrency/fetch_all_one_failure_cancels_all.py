"""Bug: errors are not caught per URL, so the TaskGroup cancels everything on the first failure."""

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
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url: str) -> FetchResult:
        async with semaphore, asyncio.timeout(timeout):
            response = await client.get(url)
            response.raise_for_status()
            return FetchResult(url, data=response.json())

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(url)) for url in urls]
    return [task.result() for task in tasks]
