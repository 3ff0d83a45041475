"""Encapsulation and abstraction: an abstract predictor, a validated property, a Protocol.

Reference solution of the drill ``week6.abstract_predictor`` (the prompt is the stub's docstring).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from numbers import Real
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Prediction", "Predictor", "SupportsPredict", "ThresholdedPredictor"]


@dataclass(frozen=True)
class Prediction:
    """One answer: a label and the score behind it."""

    label: str
    score: float


@runtime_checkable
class SupportsPredict(Protocol):
    """Anything with ``predict(x) -> Prediction``, related to :class:`Predictor` or not."""

    def predict(self, x: np.ndarray) -> Prediction: ...


class Predictor(ABC):
    """What every RxVision predictor offers; subclasses must implement both abstract members."""

    @property
    @abstractmethod
    def model_version(self) -> str:
        """The version of the model behind the predictions, e.g. ``'1.2.0'``."""

    @abstractmethod
    def predict(self, x: np.ndarray) -> Prediction:
        """The prediction for one input."""

    def predict_batch(self, xs: Iterable[np.ndarray]) -> list[Prediction]:
        """``predict`` for each input, in order."""
        return [self.predict(x) for x in xs]


def _check_unit_interval(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not 0.0 <= value <= 1.0:  # also False for NaN
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return value


class ThresholdedPredictor(Predictor):
    """A binary decision: ``labels[1]`` when the score reaches the threshold, else ``labels[0]``."""

    def __init__(
        self,
        scorer: Callable[[np.ndarray], float],
        *,
        threshold: float = 0.5,
        version: str = "1.0.0",
        labels: tuple[str, str] = ("no_pill", "pill"),
    ) -> None:
        if not callable(scorer):
            raise TypeError("scorer must be callable")
        if not isinstance(version, str) or not version:
            raise ValueError(f"version must be a non-empty string, got {version!r}")
        if len(labels) != 2 or labels[0] == labels[1]:
            raise ValueError(f"labels must be two different strings, got {labels!r}")
        self._scorer = scorer
        self._version = version
        self._labels = (str(labels[0]), str(labels[1]))
        self._threshold = 0.5
        self.threshold = threshold

    @property
    def threshold(self) -> float:
        """The decision threshold, in ``[0, 1]``."""
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self._threshold = _check_unit_interval("threshold", value)

    @property
    def model_version(self) -> str:
        return self._version

    def predict(self, x: np.ndarray) -> Prediction:
        score = self._scorer(x)
        try:
            score = float(score)
        except (TypeError, ValueError):
            raise TypeError(f"the scorer returned {score!r}, not a number") from None
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"the scorer returned {score}, outside [0, 1]")
        label = self._labels[1] if score >= self._threshold else self._labels[0]
        return Prediction(label, score)
