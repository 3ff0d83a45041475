"""Bug: constraint bounds are exclusive (p99_ms == 30 fails "<= 30")."""

from collections.abc import Mapping

from solutions.week6 import pareto_config as _solution
from solutions.week6.pareto_config import *  # noqa: F403
from solutions.week6.pareto_config import __all__  # noqa: F401


def _strict(config: Mapping[str, object], metric: str, op: str, bound: float) -> bool:
    value = float(config[metric])  # type: ignore[arg-type]
    return value < bound if op == "<=" else value > bound


_solution._satisfies = _strict
