"""Bug: first_success cancels the losers but returns before they have finished cancelling."""

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
        pending = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            winners = [t for t in tasks if t in done and t.exception() is None]
            if winners:
                return winners[0].result()
        raise ExceptionGroup("all failed", [t.exception() for t in tasks])  # type: ignore[misc]
    finally:
        for task in tasks:
            task.cancel()
