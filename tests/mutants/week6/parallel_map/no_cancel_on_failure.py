"""Bug: on a failure it waits for every chunk to finish before raising (nothing is cancelled)."""

from collections.abc import Callable, Iterable
from concurrent.futures import Executor, wait
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
    _done, pending = wait(futures, timeout=timeout)
    if pending:
        for f in pending:
            f.cancel()
        raise TimeoutError("timed out")
    return [x for f in futures for x in f.result()]
