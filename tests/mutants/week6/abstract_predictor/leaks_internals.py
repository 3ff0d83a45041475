"""Bug: stores the scorer and labels in public attributes (p.scorer, p.labels)."""

from typing import Any

from solutions.week6 import abstract_predictor as _solution
from solutions.week6.abstract_predictor import *  # noqa: F403
from solutions.week6.abstract_predictor import __all__  # noqa: F401


class ThresholdedPredictor(_solution.ThresholdedPredictor):
    def __init__(self, scorer: Any, **kwargs: Any) -> None:
        labels = kwargs.get("labels", ("no_pill", "pill"))
        super().__init__(scorer, **kwargs)
        self.scorer = scorer
        self.labels = labels
