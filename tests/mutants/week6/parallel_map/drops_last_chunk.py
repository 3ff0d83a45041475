"""Bug: the last, shorter chunk is dropped (range stops at len - len % chunksize)."""

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any

from solutions.week6 import parallel_map as _solution
from solutions.week6.parallel_map import *  # noqa: F403
from solutions.week6.parallel_map import __all__  # noqa: F401


def parallel_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    executor: Executor,
    chunksize: int = 1,
    timeout: float | None = None,
) -> list[Any]:
    items = list(items)
    if chunksize < 1:
        raise ValueError(chunksize)
    whole = len(items) - len(items) % chunksize
    return _solution.parallel_map(fn, items[:whole], executor, chunksize, timeout)
