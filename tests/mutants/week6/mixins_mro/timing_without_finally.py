"""Bug: TimingMixin records the duration only when predict succeeds (no try/finally)."""

import numpy as np

from solutions.week6 import mixins_mro as _solution
from solutions.week6.mixins_mro import *  # noqa: F403
from solutions.week6.mixins_mro import __all__  # noqa: F401


class TimingMixin(_solution.TimingMixin):
    def predict(self, x: np.ndarray) -> str:
        self.events.append("predict:TimingMixin")
        start = self.clock()
        label = super(_solution.TimingMixin, self).predict(x)
        self.timings.append(self.clock() - start)
        return label


class CachedTimedEfficientNet(_solution.CachingMixin, TimingMixin, _solution.EfficientNetPredictor):
    pass


class TimedCachedEfficientNet(TimingMixin, _solution.CachingMixin, _solution.EfficientNetPredictor):
    pass
