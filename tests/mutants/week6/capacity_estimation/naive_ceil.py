"""servers_needed uses math.ceil on the raw float: round-off buys an extra server."""

import math

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def servers_needed(qps: float, latency_s: float, concurrency: int, utilisation: float = 0.7) -> int:
    if qps < 0 or latency_s < 0 or concurrency <= 0 or not 0 < utilisation <= 1:
        raise ValueError("bad input")
    return math.ceil(qps * latency_s / (concurrency * utilisation))
