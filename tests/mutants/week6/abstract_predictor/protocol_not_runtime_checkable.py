"""Bug: SupportsPredict lacks @runtime_checkable, so isinstance() on it raises TypeError."""

from typing import Protocol

import numpy as np

from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class SupportsPredict(Protocol):
    def predict(self, x: np.ndarray) -> Prediction: ...  # noqa: F405
