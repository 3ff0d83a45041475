"""Bug: stop() closes the connections but never cancels the listener task."""

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import ModelUpdateBus as _ModelUpdateBus
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


class ModelUpdateBus(_ModelUpdateBus):
    async def stop(self) -> None:
        self._task = None
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            await pubsub.unsubscribe(self.channel)
            await pubsub.aclose()
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
