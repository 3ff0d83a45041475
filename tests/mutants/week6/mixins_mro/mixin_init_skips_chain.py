"""Bug: CachingMixin.__init__ calls BasePredictor.__init__ by name, skipping the middle."""

from typing import Any

import numpy as np

from solutions.week6 import mixins_mro as _solution
from solutions.week6.mixins_mro import *  # noqa: F403
from solutions.week6.mixins_mro import __all__  # noqa: F401


class CachingMixin(_solution.BasePredictor):
    def __init__(self, *, cache_size: int = 128, **kwargs: Any) -> None:
        labels = kwargs.pop("labels")
        _solution.BasePredictor.__init__(self, labels=labels)
        for name, value in kwargs.items():  # "handle" the rest by hand
            setattr(self, name, value)
        self.cache_size = cache_size
        self.cache_hits = self.cache_misses = 0
        self._cache = {}
        self.timings = []
        self.events.append("init:CachingMixin")

    predict = _solution.CachingMixin.predict
    _key = _solution.CachingMixin._key

    def scores(self, x: np.ndarray) -> np.ndarray:
        return _solution.TorchPredictor.scores(self, x)


class CachedTimedEfficientNet(CachingMixin, _solution.TimingMixin, _solution.EfficientNetPredictor):
    pass


class TimedCachedEfficientNet(_solution.TimingMixin, CachingMixin, _solution.EfficientNetPredictor):
    pass
