"""No input validation: a negative traffic or a utilisation of 1.5 gives a number."""

import math

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def servers_needed(qps: float, latency_s: float, concurrency: int, utilisation: float = 0.7) -> int:
    return math.ceil(qps * latency_s / (concurrency * utilisation) - 1e-9)


def backend_qps(qps: float, hit_rate: float) -> float:
    return qps * (1 - hit_rate)
