"""Bug: the hub stores the callbacks themselves, so subscribing keeps components alive forever."""

from collections.abc import Callable
from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class _Strong:
    """Looks like a weak reference but holds its target strongly."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __call__(self) -> Any:
        return self._target


class ModelEvents(_solution.ModelEvents):
    @staticmethod
    def _ref(callback: Callable[[Any], Any]) -> Any:
        return _Strong(callback)
