"""Bug: fetch_all returns results in completion order (as_completed), not input order."""

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
        try:
            async with semaphore, asyncio.timeout(timeout):
                response = await client.get(url)
                response.raise_for_status()
                return FetchResult(url, data=response.json())
        except Exception as exc:
            return FetchResult(url, error=exc)

    return [await f for f in asyncio.as_completed([fetch(url) for url in urls])]
