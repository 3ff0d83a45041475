"""Bug: chunksize is ignored: every item is submitted on its own (pickling overhead per item)."""

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
    if chunksize < 1:
        raise ValueError(chunksize)
    return _solution.parallel_map(fn, items, executor, 1, timeout)
