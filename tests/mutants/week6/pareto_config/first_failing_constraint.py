"""Bug: the infeasible error blames the first constraint that fails, not the binding one."""

from collections.abc import Mapping, Sequence
from typing import Any

from solutions.week6 import pareto_config as _solution
from solutions.week6.pareto_config import *  # noqa: F403
from solutions.week6.pareto_config import (
    InfeasibleError,
    __all__,  # noqa: F401
)


def choose(
    configs: Sequence[Mapping[str, Any]],
    constraints: Mapping[str, tuple[str, float]],
    objective: Sequence[tuple[str, str]],
) -> Mapping[str, Any]:
    try:
        return _solution.choose(configs, constraints, objective)
    except InfeasibleError as err:
        first = next(m for m, n in err.eliminated.items() if n > 0)
        op, bound = constraints[first]
        raise InfeasibleError(f"violates {first} {op} {bound}", first, err.eliminated) from None
