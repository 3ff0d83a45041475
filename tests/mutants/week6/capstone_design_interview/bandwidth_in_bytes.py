"""Bug: bandwidth is returned in bytes per second (payload never multiplied by 8)."""

from collections.abc import Mapping

from solutions.week6.capstone_design_interview import *  # noqa: F403
from solutions.week6.capstone_design_interview import reproduce_estimates as _reproduce


def reproduce_estimates(stated: Mapping[str, float]) -> dict[str, float]:
    out = _reproduce(stated)
    if "bandwidth" in out:
        out["bandwidth"] /= 8
    return out
