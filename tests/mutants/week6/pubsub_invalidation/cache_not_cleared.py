"""Bug: the replica reloads the model but keeps its local cache of old-model answers."""

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import ModelUpdateBus as _ModelUpdateBus
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


class ModelUpdateBus(_ModelUpdateBus):
    def _apply(self, version: str) -> bool:
        cache, self.cache = self.cache, None
        try:
            return super()._apply(version)
        finally:
            self.cache = cache
