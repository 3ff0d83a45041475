"""Bug: dominance demands a strict win in every objective, so ties keep dominated configs."""

from collections.abc import Mapping, Sequence
from typing import Any

from solutions.week6 import pareto_config as _solution
from solutions.week6.pareto_config import *  # noqa: F403
from solutions.week6.pareto_config import __all__  # noqa: F401


def dominates(a: Mapping[str, Any], b: Mapping[str, Any], objectives: Mapping[str, str]) -> bool:
    va, vb = _solution._minimised(a, objectives), _solution._minimised(b, objectives)
    return all(x < y for x, y in zip(va, vb, strict=True))


def pareto_front(
    configs: Sequence[Mapping[str, Any]], objectives: Mapping[str, str]
) -> list[Mapping[str, Any]]:
    if not objectives:
        raise ValueError("no objectives")
    return [c for c in configs if not any(dominates(o, c, objectives) for o in configs)]
