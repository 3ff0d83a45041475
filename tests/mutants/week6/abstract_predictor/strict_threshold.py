"""Bug: the positive label only when score > threshold (a score equal to it is negative)."""

import numpy as np

from solutions.week6 import abstract_predictor as _solution
from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class ThresholdedPredictor(_solution.ThresholdedPredictor):
    def predict(self, x: np.ndarray) -> Prediction:  # noqa: F405
        got = super().predict(x)
        if got.score == self._threshold:
            return Prediction(self._labels[0], got.score)  # noqa: F405
        return got
