"""Bug: replicas_for uses a bare math.ceil, so floating-point noise adds a replica."""

import math
from collections.abc import Mapping
from typing import Any

from solutions.week6.pareto_config import *  # noqa: F403
from solutions.week6.pareto_config import __all__  # noqa: F401


def replicas_for(
    config: Mapping[str, Any], qps: float, *, utilization: float = 0.7, min_replicas: int = 1
) -> int:
    if not 0 < utilization <= 1 or qps < 0 or config["throughput_qps"] <= 0:
        raise ValueError("bad input")
    return max(min_replicas, math.ceil(qps / (config["throughput_qps"] * utilization)))
