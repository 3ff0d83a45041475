"""Bug: the TaskError is raised without chaining the task's exception (no __cause__)."""

from collections.abc import Callable, Sequence
from typing import Any

from solutions.week6 import threads_vs_processes as _solution
from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import (
    TaskError,
    __all__,  # noqa: F401
)


def run_concurrently(
    tasks: Sequence[Callable[[], Any]], kind: str, max_workers: int | None = None
) -> list[Any]:
    try:
        return _solution.run_concurrently(tasks, kind, max_workers)
    except TaskError as err:
        raise TaskError(err.index, err.error) from None
