"""Bug: first_success returns the first task to *finish*, even when it failed."""

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

from solutions.week6.asyncio_concurrency import *  # noqa: F403
from solutions.week6.asyncio_concurrency import __all__  # noqa: F401


async def first_success(coros: Iterable[Awaitable[Any]]) -> Any:
    tasks = [asyncio.ensure_future(c) for c in coros]
    if not tasks:
        raise ValueError("no awaitables")
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        return next(t for t in tasks if t in done).result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
