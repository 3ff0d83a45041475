"""Bug: aclose does not flush the waiting partial batch: its callers wait until max_wait."""

from typing import Any

from solutions.week6.asyncio_concurrency import *  # noqa: F403
from solutions.week6.asyncio_concurrency import MicroBatcher as _MicroBatcher
from solutions.week6.asyncio_concurrency import __all__  # noqa: F401


class MicroBatcher(_MicroBatcher[Any, Any]):
    async def aclose(self) -> None:
        import asyncio

        self._closed = True
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
