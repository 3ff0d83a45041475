"""Bug: an unknown name raises a bare KeyError(name): no list of known names to fix a typo."""

from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelRegistry(_solution.ModelRegistry):
    def create(self, name: str, **kwargs: Any) -> Any:
        return self._constructors[name](**kwargs)
