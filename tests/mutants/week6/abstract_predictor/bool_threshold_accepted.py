"""Bug: checks isinstance(value, (int, float)), so True is accepted as a threshold of 1.0."""

from solutions.week6 import abstract_predictor as _solution
from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class ThresholdedPredictor(_solution.ThresholdedPredictor):
    @property
    def threshold(self) -> float:
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        if not isinstance(value, int | float):
            raise TypeError("threshold must be a number")
        if not 0 <= value <= 1:
            raise ValueError(f"threshold must be in [0, 1], got {value}")
        self._threshold = float(value)
