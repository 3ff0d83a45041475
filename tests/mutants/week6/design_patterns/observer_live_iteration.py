"""Bug: publish iterates the live subscriber list: a self-unsubscribing callback skips the next."""

from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelEvents(_solution.ModelEvents):
    def publish(self, event: str, payload: Any = None) -> list[Exception]:
        errors: list[Exception] = []
        refs = self._subscribers.get(event, [])
        for ref in refs:
            callback = ref()
            if callback is None:
                continue
            try:
                callback(payload)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
        return errors

    def unsubscribe(self, event: str, callback: Any) -> bool:
        ref = self._find(event, callback)
        if ref is None:
            return False
        self._subscribers[event].remove(ref)  # in place, under the running loop
        return True
