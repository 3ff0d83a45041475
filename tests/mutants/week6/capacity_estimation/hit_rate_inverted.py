"""backend_qps sends the cache hits (not the misses) to the model."""

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def backend_qps(qps: float, hit_rate: float) -> float:
    if qps < 0 or not 0 <= hit_rate <= 1:
        raise ValueError("bad input")
    return qps * hit_rate
