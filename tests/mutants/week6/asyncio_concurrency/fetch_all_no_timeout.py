"""Bug: fetch_all ignores the per-request timeout (one stuck backend stalls the whole call)."""

from collections.abc import Sequence

import httpx

from solutions.week6 import asyncio_concurrency as _solution
from solutions.week6.asyncio_concurrency import *  # noqa: F403
from solutions.week6.asyncio_concurrency import (
    FetchResult,
    __all__,  # noqa: F401
)


async def fetch_all(
    urls: Sequence[str], client: httpx.AsyncClient, limit: int = 10, timeout: float = 5.0
) -> list[FetchResult]:
    return await _solution.fetch_all(urls, client, limit, timeout=3600)
