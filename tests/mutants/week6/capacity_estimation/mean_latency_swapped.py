"""mean_latency weights the hit latency by the miss rate and vice versa."""

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def mean_latency(hit_rate: float, hit_latency_s: float, miss_latency_s: float) -> float:
    if not 0 <= hit_rate <= 1 or hit_latency_s < 0 or miss_latency_s < 0:
        raise ValueError("bad input")
    return (1 - hit_rate) * hit_latency_s + hit_rate * miss_latency_s
