"""Bug: subscribe returns `lambda: self.unsubscribe(event, callback)`, which holds it strongly."""

from collections.abc import Callable
from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelEvents(_solution.ModelEvents):
    def subscribe(self, event: str, callback: Callable[[Any], Any]) -> Callable[[], bool]:
        super().subscribe(event, callback)
        return lambda: self.unsubscribe(event, callback)
