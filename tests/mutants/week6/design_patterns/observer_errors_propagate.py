"""Bug: an exception in one subscriber propagates out of publish and the rest are not called."""

from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelEvents(_solution.ModelEvents):
    def publish(self, event: str, payload: Any = None) -> list[Exception]:
        for ref in list(self._subscribers.get(event, ())):
            if not any(r is ref for r in self._subscribers.get(event, ())):
                continue
            callback = ref()
            if callback is not None:
                callback(payload)
        return []
