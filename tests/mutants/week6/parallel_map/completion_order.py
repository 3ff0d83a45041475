"""Bug: results are gathered with as_completed, so they come back in completion order."""

from collections.abc import Callable, Iterable
from concurrent.futures import Executor, as_completed
from typing import Any

from solutions.week6.parallel_map import *  # noqa: F403
from solutions.week6.parallel_map import (
    __all__,  # noqa: F401
    _apply_chunk,
)


def parallel_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    executor: Executor,
    chunksize: int = 1,
    timeout: float | None = None,
) -> list[Any]:
    if chunksize < 1:
        raise ValueError(chunksize)
    items = list(items)
    futures = [
        executor.submit(_apply_chunk, fn, items[i : i + chunksize])
        for i in range(0, len(items), chunksize)
    ]
    return [x for f in as_completed(futures, timeout=timeout) for x in f.result()]
