"""Bug: results are collected with as_completed, i.e. in completion order, not input order."""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from solutions.week6 import threads_vs_processes as _solution
from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import __all__  # noqa: F401


def run_concurrently(
    tasks: Sequence[Callable[[], Any]], kind: str, max_workers: int | None = None
) -> list[Any]:
    if kind != "thread":
        return _solution.run_concurrently(tasks, kind, max_workers)
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {pool.submit(task): i for i, task in enumerate(tasks)}
        out = []
        for future in as_completed(futures):
            try:
                out.append(future.result())
            except Exception as exc:
                raise _solution.TaskError(futures[future], exc) from exc
        return out
