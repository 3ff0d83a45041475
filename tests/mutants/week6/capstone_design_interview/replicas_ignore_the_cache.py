"""Bug: replicas are sized for the peak load, ignoring that cache hits never reach the model."""

from collections.abc import Mapping

from solutions.week6.capstone_design_interview import *  # noqa: F403
from solutions.week6.capstone_design_interview import reproduce_estimates as _reproduce


def reproduce_estimates(stated: Mapping[str, float]) -> dict[str, float]:
    return _reproduce({k: v for k, v in stated.items() if k != "cache_hit_rate"}) | {
        k: v for k, v in _reproduce(stated).items() if k != "replicas"
    }
