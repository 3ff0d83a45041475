"""Bug: a configuration equal to an earlier one counts as dominated (duplicates vanish)."""

from collections.abc import Mapping, Sequence
from typing import Any

from solutions.week6 import pareto_config as _solution
from solutions.week6.pareto_config import *  # noqa: F403
from solutions.week6.pareto_config import __all__  # noqa: F401


def pareto_front(
    configs: Sequence[Mapping[str, Any]], objectives: Mapping[str, str]
) -> list[Mapping[str, Any]]:
    if not objectives:
        raise ValueError("no objectives")
    vectors = [_solution._minimised(c, objectives) for c in configs]
    out = []
    for i, vi in enumerate(vectors):
        beaten = any(
            all(x <= y for x, y in zip(vj, vi, strict=True)) and (vj != vi or j < i)
            for j, vj in enumerate(vectors)
            if j != i
        )
        if not beaten:
            out.append(configs[i])
    return out
