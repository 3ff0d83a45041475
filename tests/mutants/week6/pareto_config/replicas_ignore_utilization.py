"""Bug: replicas_for plans every replica at 100 % of its throughput (no headroom)."""

from collections.abc import Mapping
from typing import Any

from solutions.week6 import pareto_config as _solution
from solutions.week6.pareto_config import *  # noqa: F403
from solutions.week6.pareto_config import __all__  # noqa: F401


def replicas_for(
    config: Mapping[str, Any], qps: float, *, utilization: float = 0.7, min_replicas: int = 1
) -> int:
    _solution.replicas_for(config, qps, utilization=utilization, min_replicas=min_replicas)
    return _solution.replicas_for(config, qps, utilization=1.0, min_replicas=min_replicas)
