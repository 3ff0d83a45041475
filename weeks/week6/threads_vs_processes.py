"""Drill (30 min): threads vs processes vs asyncio, chosen by workload.

The prompt
----------
"Our pill classifier preprocesses images, calls a registry over HTTP and computes statistics in
pure Python. What would you run on threads, on processes, on asyncio, and why?" Answer in code.

Background: in CPython one thread at a time runs Python bytecode (the GIL). Threads still help
when they *wait*: blocking I/O and C code that releases the GIL (NumPy, hashlib, zlib, Pillow's
decoders). Pure-Python CPU work needs processes: separate interpreters with separate memory, so
arguments and results are pickled (functions must be importable, i.e. defined at module level,
not lambdas). asyncio runs thousands of concurrent network calls on one thread, as long as every
call is ``await``-ed (a blocking call freezes the whole loop).

1. ``choose_kind(workload)``: return ``"process"``, ``"thread"`` or ``"asyncio"`` for each
   workload named in :data:`WORKLOADS` (fill in the values there, then look them up):
   ``"cpu"`` (pure-Python number crunching), ``"io"`` (blocking file or database I/O),
   ``"gil_releasing"`` (NumPy, hashlib, zlib, image decoding), ``"network_many"`` (thousands of
   concurrent HTTP calls with an async client). [#workloads] An unknown workload raises
   ``ValueError``. [#unknown-workload]

2. ``run_concurrently(tasks, kind, max_workers=None)``: run every task concurrently and return
   their results **in input order** (not completion order). [#input-order]

   - ``kind="thread"``: each task is a zero-argument callable, run on a ``ThreadPoolExecutor``.
     [#thread-kind]
   - ``kind="process"``: the same on a ``ProcessPoolExecutor`` (tasks are picklable: module-level
     functions or ``functools.partial`` of them). [#process-kind]
   - ``kind="asyncio"``: each task is a zero-argument callable returning an awaitable (e.g. an
     ``async def`` function); run them all concurrently inside one ``asyncio.run(...)``, at most
     ``max_workers`` at a time when it is given (an ``asyncio.Semaphore``). [#asyncio-kind]
   - ``max_workers``: passed to the executor (None: the executor's default). [#max-workers]
   - Every task runs to the end, even when another one fails. [#all-run] Then, if any task raised
     an ``Exception``, raise ``TaskError(index, exc)`` for the failing task with the **lowest
     index**, chained to it (``raise TaskError(i, exc) from exc``). [#lowest-index]
   - Shut every pool down before returning or raising (``with ThreadPoolExecutor(...) as pool:``):
     no worker thread or process may outlive the call. [#shutdown]
   - Any other ``kind`` raises ``ValueError``; [#unknown-kind] no tasks gives ``[]``. [#no-tasks]

3. ``Counter``: ``increment(n=1)`` and a ``value`` property, starting at 0; [#counter-api] 8
   threads incrementing at once must not lose an update. [#no-lost-update] ``self.value += n``
   is a read-modify-write, not atomic: use a ``threading.Lock``.

4. ``sum_shared(values, workers=2)``: the sum of a 1-D float64 array computed by ``workers``
   processes that read it from ONE ``multiprocessing.shared_memory.SharedMemory`` block instead
   of receiving pickled copies. Copy the array into the block, give each process the block's
   ``name``, the length and its ``[start, stop)`` slice (together the slices cover every element
   exactly once, also when the length is not a multiple of ``workers``), add the partial sums.
   [#slices]
   The worker function must be defined at module level; it attaches with
   ``SharedMemory(name=name)``, wraps ``np.ndarray((length,), np.float64, buffer=block.buf)`` and
   closes the block when done. The parent closes **and unlinks** the block in a ``finally``,
   even when a worker fails (otherwise it leaks in ``/dev/shm`` until reboot). [#unlink] An empty
   array sums to 0.0; [#empty] ``workers < 1`` raises ``ValueError``. [#workers-range] The input
   array is never modified. [#input-untouched]

Examples::

    >>> choose_kind("cpu")
    'process'
    >>> run_concurrently([functools.partial(pow, 2, 10), functools.partial(pow, 3, 2)], "process")
    [1024, 9]
    >>> run_concurrently([functools.partial(operator.truediv, 1, 0)], "thread")
    Traceback (most recent call last):
    TaskError: task 0 failed: ZeroDivisionError('division by zero')
    >>> sum_shared(np.arange(10.0), workers=3)
    45.0

Given (do not change): :data:`KINDS` and :class:`TaskError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "KINDS",
    "WORKLOADS",
    "Counter",
    "TaskError",
    "choose_kind",
    "run_concurrently",
    "sum_shared",
]

KINDS = ("thread", "process", "asyncio")
WORKLOADS: dict[str, str] = {
    # TODO: map each workload to "thread", "process" or "asyncio" (and say why in a comment)
    "cpu": "?",
    "io": "?",
    "gil_releasing": "?",
    "network_many": "?",
}


class TaskError(Exception):
    """A task of :func:`run_concurrently` failed; ``index`` says which one."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(f"task {index} failed: {error!r}")
        self.index = index
        self.error = error


def choose_kind(workload: str) -> str:
    """``"thread"``, ``"process"`` or ``"asyncio"`` for a workload of :data:`WORKLOADS`.

    Raises:
        ValueError: unknown workload.
    """
    # TODO: fill WORKLOADS, then look the workload up
    raise NotImplementedError("choose_kind")


def run_concurrently(
    tasks: Sequence[Callable[[], Any]], kind: str, max_workers: int | None = None
) -> list[Any]:
    """Run every task concurrently with threads, processes or asyncio; results in input order.

    Args:
        tasks: zero-argument callables (returning awaitables for ``kind="asyncio"``).
        kind: ``"thread"``, ``"process"`` or ``"asyncio"``.
        max_workers: pool size, or the most concurrent coroutines; None for the default.

    Returns:
        ``[tasks[0](), tasks[1](), ...]`` computed concurrently.

    Raises:
        TaskError: some task raised; ``index`` is the lowest failing index, ``__cause__`` the
            task's exception.
        ValueError: unknown ``kind``.
    """
    # TODO: submit everything, keep the futures in a list, collect results in that order
    raise NotImplementedError("run_concurrently")


class Counter:
    """A counter that many threads may increment at once without losing updates."""

    def __init__(self) -> None:
        """Start at 0."""
        # TODO: the value and a threading.Lock
        raise NotImplementedError("Counter.__init__")

    def increment(self, n: int = 1) -> None:
        """Add ``n`` atomically."""
        # TODO
        raise NotImplementedError("Counter.increment")

    @property
    def value(self) -> int:
        """The current count."""
        # TODO
        raise NotImplementedError("Counter.value")


def sum_shared(values: np.ndarray, workers: int = 2) -> float:
    """Sum a 1-D float64 array in ``workers`` processes that read it from shared memory.

    Args:
        values: the numbers (converted to a contiguous float64 array). [#converts]
        workers: how many processes (and slices).

    Returns:
        The sum, as a Python float. [#returns-float]

    Raises:
        ValueError: ``workers < 1``.
    """
    # TODO: SharedMemory(create=True, size=nbytes), a module-level worker, close + unlink
    raise NotImplementedError("sum_shared")
