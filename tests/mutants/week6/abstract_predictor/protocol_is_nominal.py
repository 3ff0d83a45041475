"""Bug: SupportsPredict is an ABC that classes must inherit from (nominal, not structural)."""

from abc import ABC, abstractmethod

import numpy as np

from solutions.week6 import abstract_predictor as _solution
from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class SupportsPredict(ABC):
    @abstractmethod
    def predict(self, x: np.ndarray) -> Prediction:  # noqa: F405
        """The prediction for one input."""


SupportsPredict.register(_solution.ThresholdedPredictor)
