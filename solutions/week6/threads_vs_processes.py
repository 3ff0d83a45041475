"""Reference solution of ``week6.threads_vs_processes``: the right executor for the workload."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import shared_memory
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
WORKLOADS = {
    "cpu": "process",  # pure-Python number crunching: the GIL lets one thread run at a time
    "io": "thread",  # blocking I/O (files, a sync DB driver): threads wait without the GIL
    "gil_releasing": "thread",  # NumPy, hashlib, zlib, Pillow decode: C code drops the GIL
    "network_many": "asyncio",  # thousands of concurrent requests: one thread, an event loop
}


class TaskError(Exception):
    """A task of :func:`run_concurrently` failed; ``index`` says which one."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(f"task {index} failed: {error!r}")
        self.index = index
        self.error = error


def choose_kind(workload: str) -> str:
    """``"thread"``, ``"process"`` or ``"asyncio"`` for a workload of :data:`WORKLOADS`."""
    try:
        return WORKLOADS[workload]
    except KeyError:
        raise ValueError(f"unknown workload {workload!r}; one of {', '.join(WORKLOADS)}") from None


def _first_error(outcomes: list[tuple[bool, Any]]) -> list[Any]:
    for index, (ok, value) in enumerate(outcomes):
        if not ok:
            raise TaskError(index, value) from value
    return [value for _, value in outcomes]


def _run_pool(executor: Executor, tasks: Sequence[Callable[[], Any]]) -> list[Any]:
    with executor:
        futures = [executor.submit(task) for task in tasks]
        outcomes = []
        for future in futures:
            try:
                outcomes.append((True, future.result()))
            except Exception as exc:  # noqa: BLE001 - reported as TaskError with its index
                outcomes.append((False, exc))
    return _first_error(outcomes)


async def _run_async(tasks: Sequence[Callable[[], Any]], limit: int | None) -> list[Any]:
    semaphore = asyncio.Semaphore(limit) if limit else None

    async def one(task: Callable[[], Any]) -> Any:
        if semaphore is None:
            return await task()
        async with semaphore:
            return await task()

    results = await asyncio.gather(*(one(t) for t in tasks), return_exceptions=True)
    return [(not isinstance(r, BaseException), r) for r in results]


def run_concurrently(
    tasks: Sequence[Callable[[], Any]], kind: str, max_workers: int | None = None
) -> list[Any]:
    """Run every task concurrently with threads, processes or asyncio; results in input order."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not tasks:
        return []
    if kind == "asyncio":
        return _first_error(asyncio.run(_run_async(tasks, max_workers)))
    if kind == "thread":
        return _run_pool(ThreadPoolExecutor(max_workers=max_workers), tasks)
    return _run_pool(ProcessPoolExecutor(max_workers=max_workers), tasks)


class Counter:
    """A counter that many threads may increment at once without losing updates."""

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    def increment(self, n: int = 1) -> None:
        """Add ``n`` atomically."""
        with self._lock:
            self._value = self._value + n

    @property
    def value(self) -> int:
        """The current count."""
        with self._lock:
            return self._value


def _sum_slice(name: str, length: int, start: int, stop: int) -> float:
    """Worker: attach to the shared block ``name`` and sum elements ``[start, stop)``."""
    block = shared_memory.SharedMemory(name=name)
    try:
        array = np.ndarray((length,), dtype=np.float64, buffer=block.buf)
        total = float(array[start:stop].sum())
        del array  # release the view before closing the block
        return total
    finally:
        block.close()


def sum_shared(values: np.ndarray, workers: int = 2) -> float:
    """Sum a 1-D float64 array in ``workers`` processes that read it from shared memory."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    data = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if data.size == 0:
        return 0.0
    block = shared_memory.SharedMemory(create=True, size=data.nbytes)
    try:
        shared = np.ndarray(data.shape, dtype=np.float64, buffer=block.buf)
        shared[:] = data
        del shared
        bounds = np.linspace(0, data.size, workers + 1).astype(int)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = [
                pool.submit(_sum_slice, block.name, data.size, int(lo), int(hi))
                for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
            ]
            return float(sum(part.result() for part in parts))
    finally:
        block.close()
        block.unlink()
