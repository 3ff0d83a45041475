"""Bug: BasePredictor.__init__ ignores leftover keywords instead of passing them to object."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from solutions.week6 import mixins_mro as _solution
from solutions.week6.mixins_mro import *  # noqa: F403
from solutions.week6.mixins_mro import __all__  # noqa: F401


class BasePredictor(_solution.BasePredictor):
    def __init__(self, *, labels: Sequence[str], **kwargs: Any) -> None:
        if not labels:
            raise ValueError("labels must not be empty")
        self.labels = tuple(labels)
        self.events = ["init:BasePredictor"]

    def scores(self, x: np.ndarray) -> np.ndarray:
        return _solution.TorchPredictor.scores(self, x)


class CachedTimedEfficientNet(
    _solution.CachingMixin, _solution.TimingMixin, _solution.EfficientNetPredictor, BasePredictor
):
    pass


class TimedCachedEfficientNet(
    _solution.TimingMixin, _solution.CachingMixin, _solution.EfficientNetPredictor, BasePredictor
):
    pass
