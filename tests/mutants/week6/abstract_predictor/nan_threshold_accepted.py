"""Bug: validates with `value < 0 or value > 1`, which lets NaN through (NaN compares False)."""

from numbers import Real

from solutions.week6 import abstract_predictor as _solution
from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class ThresholdedPredictor(_solution.ThresholdedPredictor):
    @property
    def threshold(self) -> float:
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError("threshold must be a real number")
        if value < 0 or value > 1:
            raise ValueError(f"threshold must be in [0, 1], got {value}")
        self._threshold = float(value)
