"""Bug: every objective is minimised, even those marked "max" (accuracy)."""

from collections.abc import Mapping

from solutions.week6 import pareto_config as _solution
from solutions.week6.pareto_config import *  # noqa: F403
from solutions.week6.pareto_config import __all__  # noqa: F401


def _all_min(config: Mapping[str, object], objectives: Mapping[str, str]) -> tuple[float, ...]:
    for metric, sense in objectives.items():
        if sense not in ("min", "max"):
            raise ValueError(metric)
    return tuple(float(config[metric]) for metric in objectives)  # type: ignore[arg-type]


_solution._minimised = _all_min
