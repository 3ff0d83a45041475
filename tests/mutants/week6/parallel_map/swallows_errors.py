"""Bug: a failing item yields None instead of raising (errors disappear silently)."""

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any

from solutions.week6 import parallel_map as _solution
from solutions.week6.parallel_map import *  # noqa: F403
from solutions.week6.parallel_map import __all__  # noqa: F401


def _safe(fn: Callable[[Any], Any], item: Any) -> Any:
    try:
        return fn(item)
    except Exception:
        return None


def parallel_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    executor: Executor,
    chunksize: int = 1,
    timeout: float | None = None,
) -> list[Any]:
    import functools

    return _solution.parallel_map(functools.partial(_safe, fn), items, executor, chunksize, timeout)
