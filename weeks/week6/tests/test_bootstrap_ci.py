"""Tests of week6.bootstrap_ci: percentile indices, basic method, coverage, paired resampling.

Your resampling is replayed (``default_rng(seed).integers(0, n, (B, n))``); your bounds must sit
at the ``alpha / 2`` and ``1 - alpha / 2`` order statistics of the replayed bootstrap
distribution (one order statistic of slack for the quantile convention).
Run: ``pytest weeks/week6/tests/test_bootstrap_ci.py``.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest


def _replay(data: np.ndarray, statistic, b: int, seed: int, other: np.ndarray | None = None):
    idx = np.random.default_rng(seed).integers(0, len(data), size=(b, len(data)))
    stats = statistic(data[idx], axis=1)
    if other is not None:
        stats = stats - statistic(other[idx], axis=1)
    return np.sort(stats)


def _window(sorted_stats: np.ndarray, q: float) -> tuple[float, float]:
    """Values a ``q``-quantile may take: the order statistics around position q * (B - 1)."""
    j = q * (len(sorted_stats) - 1)
    lo, hi = max(0, math.floor(j) - 1), min(len(sorted_stats) - 1, math.ceil(j) + 1)
    return float(sorted_stats[lo]), float(sorted_stats[hi])


def _check_bound(got: float, sorted_stats: np.ndarray, q: float, what: str) -> None:
    lo, hi = _window(sorted_stats, q)
    assert lo <= got <= hi, (
        f"{what} should be the {q:.4f} quantile of the bootstrap statistics, about "
        f"{(lo + hi) / 2:.5f} (between {lo:.5f} and {hi:.5f}), got {got:.5f}. With "
        "alpha = 1 - confidence the bounds are the alpha/2 and 1 - alpha/2 quantiles "
        "(np.quantile takes fractions); resample with default_rng(seed).integers(0, n, (B, n))"
    )


def _sample(seed: int, n: int = 50) -> np.ndarray:
    return np.random.default_rng(seed).gamma(2.0, 3.0, size=n)  # skewed


@pytest.mark.parametrize("confidence", [0.95, 0.8])
@pytest.mark.parametrize("statistic", [np.mean, np.median], ids=["mean", "median"])
def test_percentile_bounds_are_the_right_quantiles(
    impl: ModuleType, statistic, confidence: float
) -> None:
    data = _sample(0)
    low, high = impl.bootstrap_ci(data, statistic, n_resamples=1000, confidence=confidence, seed=3)
    assert isinstance(low, float) and isinstance(high, float), "return two Python floats"
    stats = _replay(data, statistic, 1000, seed=3)
    alpha = 1 - confidence
    _check_bound(low, stats, alpha / 2, f"the lower bound (confidence {confidence})")
    _check_bound(high, stats, 1 - alpha / 2, f"the upper bound (confidence {confidence})")


def test_basic_method_reflects_the_quantiles(impl: ModuleType) -> None:
    data = _sample(1)
    low, high = impl.bootstrap_ci(data, np.mean, n_resamples=1000, seed=4, method="basic")
    stats = _replay(data, np.mean, 1000, seed=4)
    theta = float(np.mean(data))
    # basic: (2 theta - q_hi, 2 theta - q_lo), so 2 theta - low is the 0.975 quantile
    _check_bound(2 * theta - low, stats, 0.975, "2 * observed - low (basic method)")
    _check_bound(2 * theta - high, stats, 0.025, "2 * observed - high (basic method)")
    assert low <= high, f"the basic interval must have low <= high, got ({low}, {high})"


def test_same_seed_same_interval(impl: ModuleType) -> None:
    data = _sample(2)
    a = impl.bootstrap_ci(data, np.mean, n_resamples=500, seed=11)
    b = impl.bootstrap_ci(data, np.mean, n_resamples=500, seed=11)
    assert a == b, f"the same seed must give the same interval, got {a} and {b}"
    c = impl.bootstrap_ci(data, np.mean, n_resamples=500, seed=12)
    assert a != c, "different seeds gave identical intervals: seed default_rng(seed)"


@pytest.mark.parametrize(("confidence", "window"), [(0.95, (0.88, 0.99)), (0.8, (0.7, 0.88))])
def test_coverage_on_simulated_data(
    impl: ModuleType, confidence: float, window: tuple[float, float]
) -> None:
    rng = np.random.default_rng(5)
    runs, true_mean = 200, 3.0
    hits = 0
    for run in range(runs):
        data = rng.normal(true_mean, 2.0, size=40)
        low, high = impl.bootstrap_ci(
            data, np.mean, n_resamples=400, confidence=confidence, seed=run
        )
        hits += low <= true_mean <= high
    coverage = hits / runs
    assert window[0] <= coverage <= window[1], (
        f"{confidence:.0%} intervals should contain the true mean about {confidence:.0%} of the "
        f"time; over {runs} simulated data sets yours did {coverage:.1%} of the time"
    )


def _correlated(seed: int, n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    difficulty = rng.normal(0.0, 3.0, size=n)  # shared per-example variation
    return difficulty + rng.normal(0, 0.3, n), difficulty + 0.2 + rng.normal(0, 0.3, n)


def test_paired_interval_replays_and_is_narrower(impl: ModuleType) -> None:
    a, b = _correlated(6)
    low, high = impl.paired_bootstrap_ci(a, b, np.mean, n_resamples=1000, seed=9)
    stats = _replay(a, np.mean, 1000, seed=9, other=b)
    _check_bound(low, stats, 0.025, "the paired lower bound (same idx for a and b)")
    _check_bound(high, stats, 0.975, "the paired upper bound (same idx for a and b)")
    la, ha = impl.bootstrap_ci(a, np.mean, n_resamples=1000, seed=1)
    lb, hb = impl.bootstrap_ci(b, np.mean, n_resamples=1000, seed=2)
    unpaired = math.hypot(ha - la, hb - lb)
    assert high - low < 0.3 * unpaired, (
        f"on strongly correlated pairs the paired interval ({high - low:.4f} wide) should be much "
        f"narrower than resampling a and b independently (about {unpaired:.4f}); use ONE index "
        "array for both"
    )
    observed = float(np.mean(a) - np.mean(b))
    assert low <= observed <= high, f"the interval ({low}, {high}) misses the observed {observed}"


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"confidence": 1.0}, "confidence=1"),
        ({"confidence": 0.0}, "confidence=0"),
        ({"n_resamples": 0}, "n_resamples=0"),
        ({"method": "bca"}, "an unknown method"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_arguments_raise_value_error(impl: ModuleType, kwargs: dict, problem: str) -> None:
    with pytest.raises(ValueError):
        impl.bootstrap_ci(_sample(7, n=10), np.mean, **kwargs)
        pytest.fail(f"bootstrap_ci should raise ValueError for {problem}", pytrace=False)


def test_bad_data_raise_value_error(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.bootstrap_ci(np.array([]), np.mean)
        pytest.fail("bootstrap_ci should raise ValueError for empty data", pytrace=False)
    with pytest.raises(ValueError):
        impl.paired_bootstrap_ci(np.ones(5), np.ones(4), np.mean)
        pytest.fail(
            "paired_bootstrap_ci should raise ValueError for lengths 5 and 4", pytrace=False
        )
