"""Drill (45 min): running many tasks concurrently with asyncio.

The prompt
----------
RxVision25's gateway talks to many services at once: it fans out to the registry, the feature
store and the replicas, races redundant replicas for the fastest answer, and groups single
predictions into GPU batches. Write the three asyncio building blocks behind that.

Reminders: ``asyncio.run(main())`` starts the event loop once; inside it,
``asyncio.create_task`` (or an ``asyncio.TaskGroup``) schedules coroutines to run concurrently;
``await asyncio.sleep(0)`` yields control; a coroutine that is never awaited never runs.

1. ``await fetch_all(urls, client, limit=10, timeout=5.0)``: GET every URL with the given
   ``httpx.AsyncClient``, concurrently, [#fetch-concurrent] never more than ``limit`` requests in
   flight (``asyncio.Semaphore``), [#fetch-limit] each request bounded by ``timeout`` seconds
   (``async with asyncio.timeout(timeout):``). [#fetch-timeout] Return one :class:`FetchResult`
   per URL **in input order**: ``FetchResult(url, data=response.json())`` on success,
   [#fetch-order] ``FetchResult(url, error=exc)`` when the request failed for any reason (a
   ``TimeoutError``, an ``httpx.HTTPStatusError`` from ``response.raise_for_status()`` on a
   4xx/5xx, an ``httpx`` transport error, a body that is not JSON). [#fetch-errors] One failure
   must not cancel the other requests (catch inside each task, so that the ``TaskGroup`` does not
   cancel its siblings). [#fetch-isolated] If ``fetch_all`` itself is cancelled, every request
   still in flight is cancelled too (a ``TaskGroup`` does that for you). [#fetch-cancel]
   ``limit < 1`` raises ``ValueError``; [#fetch-limit-range] no URLs gives ``[]``. [#fetch-empty]

2. ``await first_success(coros)``: start every awaitable as a task at once, return the result of
   the **first one to succeed** (a task that fails first does not win; [#first-wins] if several
   succeed in the same step, the earliest in input order wins), [#first-ties] then cancel all the
   others **and wait until they have finished cancelling** before returning. [#first-cancels] If
   every one fails, raise ``ExceptionGroup("...", [their exceptions in input order])``.
   [#all-fail] No awaitables: ``ValueError``. [#no-awaitables] If ``first_success`` itself is
   cancelled, it cancels (and waits for) all its tasks too. [#first-cancelled]

3. ``MicroBatcher(process, max_batch_size=32, max_wait=0.01)``: many callers do
   ``result = await batcher.submit(item)``; the batcher groups their items and calls
   ``await process(items)`` once per batch (a model is much faster on a batch of 32 than on 32
   single images).

   - A batch is flushed (handed to ``process``) as soon as it holds ``max_batch_size`` items,
     [#flush-full] or ``max_wait`` seconds after its *first* item arrived, whichever comes first
     (later items do not restart the wait). [#flush-max-wait] A lone item must not wait for a
     full batch forever. (``loop.call_later(max_wait, flush)`` when the first item arrives;
     cancel that timer when the batch fills up.) Time is the event loop's clock
     (``loop.call_later``, ``asyncio.sleep``, ``loop.time()``), not ``time.monotonic()``.
     [#loop-clock]
   - ``process`` receives the items in submission order [#batch-order] and returns a sequence of
     results of the same length; result ``i`` goes to the caller of item ``i`` (one
     ``asyncio.Future`` per item). [#routing] Batches may run concurrently.
   - If ``process`` raises, *every* caller of that batch gets that exception; [#batch-error] if
     it returns the wrong number of results (too few or too many), every caller gets a
     ``ValueError``. [#batch-count] Later batches still work. [#batch-recovers]
   - A caller cancelled *before* its batch is flushed is left out of the batch; [#cancel-early]
     one cancelled while its batch is being processed simply does not get a result (never call
     ``set_result`` on a cancelled future: it raises ``InvalidStateError``); the other callers
     are unaffected. [#cancel-during]
   - ``await batcher.aclose()`` (also run by ``async with``) flushes the waiting items at once,
     waits for every batch still running, [#aclose-flushes] and makes later ``submit`` calls
     raise ``RuntimeError``. [#closed]

Example::

    async def main():
        async with httpx.AsyncClient(base_url="https://registry.internal") as client:
            results = await fetch_all(["/models/1", "/models/2"], client, limit=5)
        print([r.data if r.ok else repr(r.error) for r in results])

        async def double(items):          # one call per batch
            return [2 * x for x in items]

        async with MicroBatcher(double, max_batch_size=4, max_wait=0.005) as batcher:
            print(await asyncio.gather(*(batcher.submit(i) for i in range(10))))
            # [0, 2, 4, ..., 18], computed in three calls: 4 + 4 + 2 items

    asyncio.run(main())

Given (do not change): :class:`FetchResult`, the parameter checks and ``MicroBatcher``'s
``__aenter__``/``__aexit__``.
"""

from __future__ import annotations

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
    """GET every URL concurrently (at most ``limit`` at once), one result per URL, in order.

    Args:
        urls: the URLs (relative ones resolve against the client's ``base_url``).
        client: the HTTP client to use (do not close it).
        limit: the most requests in flight at the same time.
        timeout: seconds allowed for each request.

    Returns:
        One :class:`FetchResult` per URL, in the order of ``urls``.

    Raises:
        ValueError: ``limit < 1``.
    """
    # TODO: a Semaphore, a per-URL coroutine that catches everything, an asyncio.TaskGroup
    raise NotImplementedError("fetch_all")


async def first_success(coros: Iterable[Awaitable[T]]) -> T:
    """The result of the first awaitable to succeed; the others are cancelled.

    Raises:
        ExceptionGroup: every awaitable failed (their exceptions, in input order).
        ValueError: no awaitables.
    """
    # TODO: tasks, asyncio.wait(..., return_when=FIRST_COMPLETED) in a loop, cancel in finally
    raise NotImplementedError("first_success")


class MicroBatcher(Generic[T, R]):
    """Group concurrent ``submit`` calls into batches for one ``process(items)`` call each."""

    def __init__(
        self,
        process: Callable[[list[T]], Awaitable[Sequence[R]]],
        max_batch_size: int = 32,
        max_wait: float = 0.01,
    ) -> None:
        """Create an idle batcher (no task is started here: there may be no running loop yet).

        Args:
            process: ``await process(items)`` returns one result per item, in order.
            max_batch_size: flush as soon as a batch has this many items.
            max_wait: flush a batch this many seconds after its first item, even if not full.

        Raises:
            ValueError: ``max_batch_size < 1`` or ``max_wait < 0``. [#batcher-params]
        """
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be at least 1, got {max_batch_size}")
        if max_wait < 0:
            raise ValueError(f"max_wait must not be negative, got {max_wait}")
        self.process = process
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait
        # TODO: the pending (item, future) pairs, the flush timer, the running batch tasks
        raise NotImplementedError("MicroBatcher.__init__: add the batcher's state")

    async def submit(self, item: T) -> R:
        """Add ``item`` to the current batch and wait for its own result.

        Raises:
            RuntimeError: the batcher is closed.
            Exception: what ``process`` raised for this item's batch.
        """
        # TODO: a future per item; flush when full, start the max_wait timer on the first item
        raise NotImplementedError("MicroBatcher.submit")

    async def aclose(self) -> None:
        """Flush the waiting items now, wait for every running batch, refuse new items."""
        # TODO
        raise NotImplementedError("MicroBatcher.aclose")

    async def __aenter__(self) -> MicroBatcher[T, R]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
