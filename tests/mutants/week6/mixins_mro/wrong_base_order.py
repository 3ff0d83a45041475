"""Bug: CachedTimedEfficientNet lists TimingMixin first, so timing (not caching) is outermost."""

from solutions.week6 import mixins_mro as _solution
from solutions.week6.mixins_mro import *  # noqa: F403
from solutions.week6.mixins_mro import __all__  # noqa: F401


class CachedTimedEfficientNet(
    _solution.TimingMixin, _solution.CachingMixin, _solution.EfficientNetPredictor
):
    pass
