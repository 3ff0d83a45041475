"""Bug: the threshold is validated in __init__ only; the setter accepts anything afterwards."""

from solutions.week6 import abstract_predictor as _solution
from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class ThresholdedPredictor(_solution.ThresholdedPredictor):
    @property
    def threshold(self) -> float:
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        if not hasattr(self, "_ready"):
            self._threshold = _solution._check_unit_interval("threshold", value)
            self._ready = True
        else:
            self._threshold = value
