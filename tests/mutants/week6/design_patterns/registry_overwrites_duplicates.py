"""Bug: registering a taken name silently replaces the first constructor."""

from collections.abc import Callable
from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelRegistry(_solution.ModelRegistry):
    def register(self, name: str) -> Callable[[Any], Any]:
        if not isinstance(name, str) or not name:
            raise ValueError(f"bad name {name!r}")

        def decorator(constructor: Any) -> Any:
            self._constructors[name] = constructor
            return constructor

        return decorator
