"""Bug: the thread pool is never shut down, so idle worker threads outlive the call."""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from solutions.week6 import threads_vs_processes as _solution
from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import __all__  # noqa: F401

_pools: list[ThreadPoolExecutor] = []


def run_concurrently(
    tasks: Sequence[Callable[[], Any]], kind: str, max_workers: int | None = None
) -> list[Any]:
    if kind != "thread":
        return _solution.run_concurrently(tasks, kind, max_workers)
    pool = ThreadPoolExecutor(max_workers=max_workers)
    _pools.append(pool)  # kept alive "for reuse", never shut down
    futures = [pool.submit(task) for task in tasks]
    out = []
    for i, future in enumerate(futures):
        try:
            out.append(future.result())
        except Exception as exc:
            raise _solution.TaskError(i, exc) from exc
    return out
