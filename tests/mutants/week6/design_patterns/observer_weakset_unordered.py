"""Bug: subscribers live in a weakref.WeakSet, which does not keep the subscription order."""

import weakref
from collections.abc import Callable
from typing import Any

from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelEvents:
    def __init__(self) -> None:
        self._subscribers: dict[str, weakref.WeakSet] = {}
        self._bound: dict[str, dict[Any, weakref.WeakMethod]] = {}

    def subscribe(self, event: str, callback: Callable[[Any], Any]) -> Callable[[], bool]:
        target = getattr(callback, "__self__", callback)
        self._subscribers.setdefault(event, weakref.WeakSet()).add(target)
        if hasattr(callback, "__self__"):
            self._bound.setdefault(event, {})[id(target)] = weakref.WeakMethod(callback)
        return lambda: self.unsubscribe(event, callback)

    def unsubscribe(self, event: str, callback: Callable[[Any], Any]) -> bool:
        target = getattr(callback, "__self__", callback)
        subs = self._subscribers.get(event, weakref.WeakSet())
        if target in subs:
            subs.discard(target)
            return True
        return False

    def publish(self, event: str, payload: Any = None) -> list[Exception]:
        errors = []
        for target in list(self._subscribers.get(event, ())):
            ref = self._bound.get(event, {}).get(id(target))
            callback = ref() if ref is not None else target
            try:
                callback(payload)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
        return errors

    def subscriber_count(self, event: str) -> int:
        return len(self._subscribers.get(event, ()))
