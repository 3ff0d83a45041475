"""Bug: raises TaskError for the first task that *fails in time*, not the lowest failing index."""

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from solutions.week6 import threads_vs_processes as _solution
from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import __all__  # noqa: F401


def run_concurrently(
    tasks: Sequence[Callable[[], Any]], kind: str, max_workers: int | None = None
) -> list[Any]:
    if kind != "asyncio":
        return _solution.run_concurrently(tasks, kind, max_workers)

    async def main() -> list[Any]:
        async def one(i: int, task: Callable[[], Any]) -> Any:
            try:
                return await task()
            except Exception as exc:
                raise _solution.TaskError(i, exc) from exc

        return await asyncio.gather(*(one(i, t) for i, t in enumerate(tasks)))

    return asyncio.run(main())
