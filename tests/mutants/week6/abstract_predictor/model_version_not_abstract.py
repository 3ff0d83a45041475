"""Bug: model_version is a plain property returning "unknown", so subclasses may forget it."""

from abc import ABC, abstractmethod
from collections.abc import Iterable

import numpy as np

from solutions.week6 import abstract_predictor as _solution
from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class Predictor(ABC):
    @property
    def model_version(self) -> str:
        return "unknown"

    @abstractmethod
    def predict(self, x: np.ndarray) -> Prediction:  # noqa: F405
        """The prediction for one input."""

    def predict_batch(self, xs: Iterable[np.ndarray]) -> list[Prediction]:  # noqa: F405
        return [self.predict(x) for x in xs]


class ThresholdedPredictor(Predictor):
    __init__ = _solution.ThresholdedPredictor.__init__
    threshold = _solution.ThresholdedPredictor.threshold
    model_version = _solution.ThresholdedPredictor.model_version
    predict = _solution.ThresholdedPredictor.predict
