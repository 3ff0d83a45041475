"""Bug: ModelCache.get_or_load checks and loads without the lock: racing requests load N times."""

from collections.abc import Callable
from typing import TypeVar

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401

T = TypeVar("T")


def _get_or_load(self: _solution.ModelCache, name: str, loader: Callable[[], T]) -> T:
    if name not in self._models:
        self._models[name] = loader()
    return self._models[name]


_solution.ModelCache.get_or_load = _get_or_load
