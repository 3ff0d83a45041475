"""Bits vs bytes the wrong way round: bandwidth divides by 8 instead of multiplying."""

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def bandwidth(qps: float, payload_bytes: float) -> float:
    return qps * payload_bytes / 8
