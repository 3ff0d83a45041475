"""Sizes for the average: peak_qps ignores the peak factor."""

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__, average_qps  # noqa: F401


def peak_qps(daily_requests: float, peak_factor: float = 3.0) -> float:
    return average_qps(daily_requests)


def qps_from_dau(dau: float, requests_per_user: float, peak_factor: float = 3.0) -> float:
    return average_qps(dau * requests_per_user)
