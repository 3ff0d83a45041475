"""Bug: fetch_all awaits each request before starting the next (no concurrency at all)."""

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
    out = []
    for url in urls:
        try:
            async with asyncio.timeout(timeout):
                response = await client.get(url)
                response.raise_for_status()
                out.append(FetchResult(url, data=response.json()))
        except Exception as exc:
            out.append(FetchResult(url, error=exc))
    return out
