"""Bug: choose breaks ties by input order instead of the next objective and then the name."""

from collections.abc import Mapping, Sequence
from typing import Any

from solutions.week6 import pareto_config as _solution
from solutions.week6.pareto_config import *  # noqa: F403
from solutions.week6.pareto_config import __all__  # noqa: F401


def choose(
    configs: Sequence[Mapping[str, Any]],
    constraints: Mapping[str, tuple[str, float]],
    objective: Sequence[tuple[str, str]],
) -> Mapping[str, Any]:
    best = _solution.choose(configs, constraints, objective[:1])
    metric = objective[0][0]
    return next(
        c
        for c in configs
        if c[metric] == best[metric]
        and all(_solution._satisfies(c, m, op, bound) for m, (op, bound) in constraints.items())
    )
