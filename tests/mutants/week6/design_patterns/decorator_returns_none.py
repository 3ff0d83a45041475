"""Bug: the register decorator returns None, so the decorated name is no longer a function."""

from collections.abc import Callable
from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelRegistry(_solution.ModelRegistry):
    def register(self, name: str) -> Callable[[Any], None]:
        inner = super().register(name)

        def decorator(constructor: Any) -> None:
            inner(constructor)

        return decorator
