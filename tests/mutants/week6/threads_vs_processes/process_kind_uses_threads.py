"""Bug: kind="process" quietly runs the tasks on a thread pool (no parallelism for CPU work)."""

from collections.abc import Callable, Sequence
from typing import Any

from solutions.week6 import threads_vs_processes as _solution
from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import __all__  # noqa: F401


def run_concurrently(
    tasks: Sequence[Callable[[], Any]], kind: str, max_workers: int | None = None
) -> list[Any]:
    return _solution.run_concurrently(tasks, "thread" if kind == "process" else kind, max_workers)
