"""Drill (30 min): pick the serving configuration under constraints (Pareto fronts).

The prompt
----------
You benchmarked RxVision25 serving configurations (model, precision, batch size, hardware). Each
is a mapping with a ``"name"`` and numeric metrics, for example::

    {"name": "b0-int8-bs8", "accuracy": 0.912, "p99_ms": 24.0, "memory_mb": 310,
     "cost_per_million": 1.10, "throughput_qps": 140}

An interviewer asks: which configurations are worth considering at all, which one do you ship
under "p99 at most 30 ms, at most 512 MB", and how many replicas serve 1000 requests/s?

1. ``dominates(a, b, objectives)``: ``objectives`` maps metric -> ``"min"`` or ``"max"``
   (e.g. ``{"accuracy": "max", "p99_ms": "min"}``). ``a`` dominates ``b`` when ``a`` is at
   least as good as ``b`` in *every* objective and strictly better in *at least one*.
   [#dominates] Equal configurations do not dominate each other. [#dominates-equal] Any other
   sense raises ``ValueError``. [#sense]
2. ``pareto_front(configs, objectives)``: the configurations that no other configuration
   dominates [#front], in input order, the very same objects (not copies). [#front-identity] Two
   configurations with equal values in every objective are both kept. [#front-duplicates]
   O(n^2 * m) for n configurations and m objectives is fine. Empty ``objectives`` raises
   ``ValueError``; an empty ``configs`` gives ``[]``. [#front-empty]
3. ``choose(configs, constraints, objective)``:

   - ``constraints`` maps metric -> ``(op, bound)`` with ``op`` ``"<="`` or ``">="`` (bounds are
     inclusive: ``p99_ms == 30`` satisfies ``("<=", 30)``). [#inclusive] Any other op raises
     ``ValueError``. [#op]
   - ``objective`` is a list of ``(metric, sense)`` pairs in priority order, e.g.
     ``[("accuracy", "max"), ("p99_ms", "min")]``: the best feasible configuration by the first
     pair; ties broken by the next pair, and so on; remaining ties by ``name``, alphabetically
     (plain ``str`` order: ``"B" < "a"``).
     It returns the configuration itself. [#choose]
   - When no configuration satisfies every constraint, raise :class:`InfeasibleError` whose
     ``binding`` is the metric of the constraint that *alone* rules out the most configurations
     (ties: the first such constraint in ``constraints`` order) [#binding], whose ``eliminated``
     maps every constrained metric to the number of configurations it alone rules out (every
     configuration failing it, whatever the other constraints say) [#eliminated], and whose
     message names the binding constraint (its metric, op and bound).
     [#infeasible-message]
   - An empty ``configs`` or ``objective`` raises ``ValueError``. [#choose-empty]

4. ``replicas_for(config, qps, utilization=0.7, min_replicas=1)``: each replica sustains
   ``config["throughput_qps"]`` requests/s; keep every replica at most ``utilization`` busy
   (headroom for spikes). Return ``max(min_replicas, ceil(qps / (throughput * utilization)))``
   [#replicas], treating a quotient within 1e-9 of an integer as that integer (``21 / (1 * 0.7)``
   is ``30.000000000000004`` in floating point and needs 30 replicas, not 31). [#round-off]
   ``ValueError`` when ``utilization`` is not in (0, 1], ``qps < 0`` or the throughput is not
   positive. [#replicas-invalid]

Example::

    >>> configs = [
    ...     {"name": "a", "accuracy": 0.90, "p99_ms": 20, "memory_mb": 300},
    ...     {"name": "b", "accuracy": 0.93, "p99_ms": 45, "memory_mb": 900},
    ...     {"name": "c", "accuracy": 0.89, "p99_ms": 25, "memory_mb": 300},  # worse than a
    ... ]
    >>> [c["name"] for c in pareto_front(configs, {"accuracy": "max", "p99_ms": "min"})]
    ['a', 'b']
    >>> choose(configs, {"p99_ms": ("<=", 30)}, [("accuracy", "max")])["name"]
    'a'
    >>> replicas_for({"name": "a", "throughput_qps": 100}, qps=1000)
    15

Given (do not change): :class:`InfeasibleError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["InfeasibleError", "choose", "dominates", "pareto_front", "replicas_for"]

Config = Mapping[str, Any]


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


def dominates(a: Config, b: Config, objectives: Mapping[str, str]) -> bool:
    """True when ``a`` is at least as good as ``b`` everywhere and strictly better somewhere.

    Args:
        a: a configuration (metric -> value).
        b: another configuration.
        objectives: metric -> ``"min"`` or ``"max"``.

    Raises:
        ValueError: a sense is neither ``"min"`` nor ``"max"``.
    """
    # TODO: flip the sign of "max" metrics so that everything is minimised
    raise NotImplementedError("dominates")


def pareto_front(configs: Sequence[Config], objectives: Mapping[str, str]) -> list[Config]:
    """The configurations no other configuration dominates, in input order.

    Returns:
        The non-dominated configurations themselves (same objects), in input order.

    Raises:
        ValueError: ``objectives`` is empty or has an unknown sense.
    """
    # TODO: keep each config that no other config dominates
    raise NotImplementedError("pareto_front")


def choose(
    configs: Sequence[Config],
    constraints: Mapping[str, tuple[str, float]],
    objective: Sequence[tuple[str, str]],
) -> Config:
    """The best configuration meeting every constraint (ties: next objective, then name).

    Args:
        configs: the candidate configurations.
        constraints: metric -> ``("<=", bound)`` or ``(">=", bound)``, inclusive.
        objective: ``(metric, "min" | "max")`` pairs in priority order.

    Returns:
        The chosen configuration (the same object).

    Raises:
        InfeasibleError: nothing satisfies every constraint (see the module docstring).
        ValueError: empty ``configs`` or ``objective``, or an unknown op or sense.
    """
    # TODO: filter, then min() with a key tuple (objective values, name)
    raise NotImplementedError("choose")


def replicas_for(
    config: Config, qps: float, *, utilization: float = 0.7, min_replicas: int = 1
) -> int:
    """Replicas of ``config`` needed to serve ``qps`` with each replica at most ``utilization``.

    Args:
        config: a configuration with a ``"throughput_qps"`` metric (requests/s per replica).
        qps: the traffic to serve, in requests per second.
        utilization: the highest fraction of a replica's throughput to plan for.
        min_replicas: never return fewer (e.g. 2 for availability).

    Raises:
        ValueError: ``utilization`` outside (0, 1], negative ``qps``, throughput not positive.
    """
    # TODO: ceil with a 1e-9 tolerance, at least min_replicas
    raise NotImplementedError("replicas_for")
