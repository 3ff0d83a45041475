"""Bug: model_version is a property with a setter, so callers can overwrite the model's version."""

from solutions.week6 import abstract_predictor as _solution
from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class ThresholdedPredictor(_solution.ThresholdedPredictor):
    @property
    def model_version(self) -> str:
        return self._version

    @model_version.setter
    def model_version(self, value: str) -> None:
        self._version = value
