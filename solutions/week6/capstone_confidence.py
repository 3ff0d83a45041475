"""Capstone: evidence of interview readiness (solution): score trends and a readiness summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import import_module
from pathlib import Path

__all__ = ["PORTFOLIO", "readiness", "trend"]

#: Found through the package, not ``__file__``, so that an edited copy of this module imported
#: from elsewhere (a grader mutant) reads the same portfolio.
PORTFOLIO: Path = Path(import_module(__package__).__file__).resolve().parent / "portfolio"


def trend(scores: Sequence[float]) -> float:
    """The least-squares slope of ``scores`` against the mock number (see the stub)."""
    y = [float(s) for s in scores]
    n = len(y)
    if n < 2:
        raise ValueError(f"a trend needs at least two scores, got {n}")
    mean_x, mean_y = (n - 1) / 2, sum(y) / n
    cross = sum((x - mean_x) * (v - mean_y) for x, v in enumerate(y))
    spread = sum((x - mean_x) ** 2 for x in range(n))
    return cross / spread


def readiness(scores: Mapping[str, Sequence[float]], gaps: Mapping[str, str]) -> dict[str, object]:
    """A readiness summary of the mocks and the feedback tracker (see the stub)."""
    trends = {dimension: trend(values) for dimension, values in scores.items()}
    statuses = {gap: status.strip().lower() for gap, status in gaps.items()}
    closed = sum(status == "closed" for status in statuses.values())
    return {
        "trends": trends,
        "improving": sorted(d for d, slope in trends.items() if slope > 0),
        "mean_trend": sum(trends.values()) / len(trends) if trends else 0.0,
        "closed_share": closed / len(statuses) if statuses else 0.0,
        "open": sorted(
            (gap for gap, status in statuses.items() if status == "open"),
            key=lambda gap: int(gap.lstrip("Gg")),
        ),
    }
