"""Bug: storage is one year of data whatever the retention (730 days in the real-time design)."""

from collections.abc import Mapping

from solutions.week6.capstone_design_interview import *  # noqa: F403
from solutions.week6.capstone_design_interview import reproduce_estimates as _reproduce


def reproduce_estimates(stated: Mapping[str, float]) -> dict[str, float]:
    return _reproduce({k: v for k, v in stated.items() if k != "retention"})
