"""Bits vs bytes: bandwidth returns bytes per second (never multiplies by 8)."""

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def bandwidth(qps: float, payload_bytes: float) -> float:
    return qps * payload_bytes
