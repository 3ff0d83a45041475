"""Bug: a message that is not the expected JSON raises inside the listener and kills it."""

import json
from typing import Any

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import ModelUpdateBus as _ModelUpdateBus
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


class ModelUpdateBus(_ModelUpdateBus):
    def _on_message(self, data: Any) -> None:
        self._apply(str(json.loads(data)["version"]))
