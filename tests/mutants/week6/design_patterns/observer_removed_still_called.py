"""Bug: publish calls everyone in its snapshot, even subscribers removed earlier in that publish."""

from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelEvents(_solution.ModelEvents):
    def publish(self, event: str, payload: Any = None) -> list[Exception]:
        errors: list[Exception] = []
        for ref in list(self._subscribers.get(event, ())):
            callback = ref()
            if callback is None:
                continue
            try:
                callback(payload)
            except Exception as exc:  # noqa: BLE001
                _solution.logger.exception("subscriber failed")
                errors.append(exc)
        return errors
