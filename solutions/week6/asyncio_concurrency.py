"""Reference solution of ``week6.asyncio_concurrency``: bounded fan-out, first success, batching."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

__all__ = ["FetchResult", "MicroBatcher", "fetch_all", "first_success"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one URL: its JSON ``data``, or the ``error`` that prevented it."""

    url: str
    data: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


async def fetch_all(
    urls: Sequence[str], client: httpx.AsyncClient, limit: int = 10, timeout: float = 5.0
) -> list[FetchResult]:
    """GET every URL concurrently (at most ``limit`` at once), one result per URL, in order."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url: str) -> FetchResult:
        try:
            async with semaphore, asyncio.timeout(timeout):
                response = await client.get(url)
                response.raise_for_status()
                return FetchResult(url, data=response.json())
        except Exception as exc:  # noqa: BLE001 - every failure is a value, not a crash
            return FetchResult(url, error=exc)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(url)) for url in urls]
    return [task.result() for task in tasks]


async def first_success(coros: Iterable[Awaitable[T]]) -> T:
    """The result of the first awaitable to succeed; the others are cancelled."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    if not tasks:
        raise ValueError("first_success needs at least one awaitable")
    try:
        pending = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            winners = [t for t in tasks if t in done and t.exception() is None]
            if winners:
                return winners[0].result()
        raise ExceptionGroup(
            "every attempt failed",
            [t.exception() for t in tasks],  # type: ignore[misc]
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class MicroBatcher(Generic[T, R]):
    """Group concurrent ``submit`` calls into batches for one ``process(items)`` call each."""

    def __init__(
        self,
        process: Callable[[list[T]], Awaitable[Sequence[R]]],
        max_batch_size: int = 32,
        max_wait: float = 0.01,
    ) -> None:
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be at least 1, got {max_batch_size}")
        if max_wait < 0:
            raise ValueError(f"max_wait must not be negative, got {max_wait}")
        self.process = process
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._closed = False

    async def submit(self, item: T) -> R:
        """Add ``item`` to the current batch and wait for its own result."""
        if self._closed:
            raise RuntimeError("MicroBatcher is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self.max_batch_size:
            self._flush()
        elif len(self._pending) == 1:
            self._timer = loop.call_later(self.max_wait, self._flush)
        return await future  # cancelling the caller cancels the future: _flush skips it

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch = [(item, future) for item, future in self._pending if not future.done()]
        self._pending = []
        if batch:
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = list(await self.process([item for item, _ in batch]))
            if len(results) != len(batch):
                raise ValueError(
                    f"process returned {len(results)} results for a batch of {len(batch)}"
                )
        except Exception as exc:  # noqa: BLE001 - handed to every waiter of the batch
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def aclose(self) -> None:
        """Flush the waiting items now, wait for every running batch, refuse new items."""
        self._closed = True
        self._flush()
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def __aenter__(self) -> MicroBatcher[T, R]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
