"""Reference solution of ``week1.calibration_metrics``: re-exports the reference system."""

from rxvision.evaluation.calibration import (
    ReliabilityBins,
    brier_score,
    expected_calibration_error,
    max_calibration_error,
    reliability_bins,
)

__all__ = [
    "ReliabilityBins",
    "brier_score",
    "expected_calibration_error",
    "max_calibration_error",
    "reliability_bins",
]
