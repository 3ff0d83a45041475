"""Bug: the combined classes call each parent's __init__ by name instead of one super() call."""

from typing import Any

from solutions.week6 import mixins_mro as _solution
from solutions.week6.mixins_mro import *  # noqa: F403
from solutions.week6.mixins_mro import __all__  # noqa: F401


class CachedTimedEfficientNet(_solution.CachedTimedEfficientNet):
    def __init__(self, **kwargs: Any) -> None:
        _solution.CachingMixin.__init__(self, **kwargs)
        _solution.TimingMixin.__init__(self, **kwargs)
        _solution.EfficientNetPredictor.__init__(self, **kwargs)


class TimedCachedEfficientNet(_solution.TimedCachedEfficientNet):
    def __init__(self, **kwargs: Any) -> None:
        _solution.TimingMixin.__init__(self, **kwargs)
        _solution.CachingMixin.__init__(self, **kwargs)
        _solution.EfficientNetPredictor.__init__(self, **kwargs)
