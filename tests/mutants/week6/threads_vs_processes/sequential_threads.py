"""Bug: kind="thread" submits a task and waits for its result before submitting the next."""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from solutions.week6 import threads_vs_processes as _solution
from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import __all__  # noqa: F401


def run_concurrently(
    tasks: Sequence[Callable[[], Any]], kind: str, max_workers: int | None = None
) -> list[Any]:
    if kind != "thread":
        return _solution.run_concurrently(tasks, kind, max_workers)
    out = []
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        for i, task in enumerate(tasks):
            try:
                out.append(pool.submit(task).result(timeout=1))
            except Exception as exc:
                raise _solution.TaskError(i, exc) from exc
    return out
