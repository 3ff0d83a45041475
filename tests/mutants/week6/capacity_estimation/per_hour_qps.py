"""Per-day vs per-second: average_qps divides the daily count by 3,600 (seconds in an hour)."""

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def average_qps(daily_requests: float) -> float:
    return daily_requests / 3_600
