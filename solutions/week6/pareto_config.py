"""Reference solution of ``week6.pareto_config``: Pareto fronts and constrained choices."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["InfeasibleError", "choose", "dominates", "pareto_front", "replicas_for"]

Config = Mapping[str, Any]
_SENSES = ("min", "max")
_OPS = ("<=", ">=")


class InfeasibleError(ValueError):
    """No configuration satisfies every constraint.

    Attributes:
        binding: the metric of the constraint that alone rules out the most configurations.
        eliminated: for each constrained metric, how many configurations it rules out alone.
    """

    def __init__(self, message: str, binding: str, eliminated: dict[str, int]) -> None:
        super().__init__(message)
        self.binding = binding
        self.eliminated = eliminated


def _value(config: Config, metric: str) -> float:
    try:
        return float(config[metric])
    except KeyError:
        raise KeyError(f"configuration {config.get('name')!r} has no metric {metric!r}") from None


def _check_senses(objectives: Mapping[str, str]) -> None:
    for metric, sense in objectives.items():
        if sense not in _SENSES:
            raise ValueError(f"objective {metric!r}: sense must be 'min' or 'max', got {sense!r}")


def _minimised(config: Config, objectives: Mapping[str, str]) -> tuple[float, ...]:
    out = []
    for metric, sense in objectives.items():
        if sense not in _SENSES:
            raise ValueError(f"objective {metric!r}: sense must be 'min' or 'max', got {sense!r}")
        value = _value(config, metric)
        out.append(value if sense == "min" else -value)
    return tuple(out)


def dominates(a: Config, b: Config, objectives: Mapping[str, str]) -> bool:
    """True when ``a`` is at least as good as ``b`` everywhere and strictly better somewhere."""
    va, vb = _minimised(a, objectives), _minimised(b, objectives)
    return all(x <= y for x, y in zip(va, vb, strict=True)) and va != vb


def pareto_front(configs: Sequence[Config], objectives: Mapping[str, str]) -> list[Config]:
    """The configurations no other configuration dominates, in input order."""
    if not objectives:
        raise ValueError("give at least one objective")
    _check_senses(objectives)  # also when there is no configuration to look at
    vectors = [_minimised(c, objectives) for c in configs]

    def dominated(i: int) -> bool:
        vi = vectors[i]
        return any(
            vj != vi and all(x <= y for x, y in zip(vj, vi, strict=True))
            for j, vj in enumerate(vectors)
            if j != i
        )

    return [config for i, config in enumerate(configs) if not dominated(i)]


def _satisfies(config: Config, metric: str, op: str, bound: float) -> bool:
    value = _value(config, metric)
    return value <= bound if op == "<=" else value >= bound


def choose(
    configs: Sequence[Config],
    constraints: Mapping[str, tuple[str, float]],
    objective: Sequence[tuple[str, str]],
) -> Config:
    """The best configuration meeting every constraint (ties: next objective, then name)."""
    if not configs:
        raise ValueError("no configurations to choose from")
    if not objective:
        raise ValueError("give at least one objective")
    for metric, (op, _bound) in constraints.items():
        if op not in _OPS:
            raise ValueError(f"constraint on {metric!r}: op must be '<=' or '>=', got {op!r}")
    feasible = [
        c
        for c in configs
        if all(_satisfies(c, m, op, bound) for m, (op, bound) in constraints.items())
    ]
    if not feasible:
        eliminated = {
            m: sum(not _satisfies(c, m, op, bound) for c in configs)
            for m, (op, bound) in constraints.items()
        }
        binding = max(eliminated, key=lambda m: eliminated[m])  # first of the largest
        op, bound = constraints[binding]
        raise InfeasibleError(
            f"no configuration satisfies every constraint; the binding constraint is "
            f"{binding} {op} {bound} (it alone rules out {eliminated[binding]} of {len(configs)})",
            binding,
            eliminated,
        )
    order = dict(objective)
    return min(feasible, key=lambda c: (_minimised(c, order), str(c["name"])))


def replicas_for(
    config: Config, qps: float, *, utilization: float = 0.7, min_replicas: int = 1
) -> int:
    """Replicas of ``config`` needed to serve ``qps`` with each replica at most ``utilization``."""
    if not 0 < utilization <= 1:
        raise ValueError(f"utilization must be in (0, 1], got {utilization}")
    if qps < 0:
        raise ValueError(f"qps must not be negative, got {qps}")
    throughput = _value(config, "throughput_qps")
    if throughput <= 0:
        raise ValueError(f"{config.get('name')!r}: throughput_qps must be positive")
    needed = qps / (throughput * utilization)
    return max(min_replicas, math.ceil(needed - 1e-9))
