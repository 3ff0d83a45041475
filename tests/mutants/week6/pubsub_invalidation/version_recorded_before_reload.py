"""Bug: the version is recorded before reload runs, so a failed reload is never retried."""

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import ModelUpdateBus as _ModelUpdateBus
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


class ModelUpdateBus(_ModelUpdateBus):
    def _apply(self, version: str) -> bool:
        if version == self._version:
            return False
        self._version = version
        if self.cache is not None:
            self.cache.clear()
        try:
            self.reload(version)
        except Exception:
            return False
        return True
