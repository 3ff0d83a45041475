"""Bug: every announcement triggers a reload, even of the version already loaded."""

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import ModelUpdateBus as _ModelUpdateBus
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


class ModelUpdateBus(_ModelUpdateBus):
    def _apply(self, version: str) -> bool:
        self._version = None
        return super()._apply(version)
