"""Tests of week6.bootstrap_ci: percentile indices, basic method, coverage, paired resampling.

Your resampling is replayed (``default_rng(seed).integers(0, n, (B, n))``); your bounds must sit
at the ``alpha / 2`` and ``1 - alpha / 2`` order statistics of the replayed bootstrap
distribution (one order statistic of slack for the quantile convention).
Run: ``pytest weeks/week6/tests/test_bootstrap_ci.py``.
"""

from __future__ import annotations

import math
import tracemalloc
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import differential as diff


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


@pytest.mark.clause("percentile", "quantiles", "resampling", "floats")
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


@pytest.mark.clause("basic", "observed")
def test_basic_method_reflects_the_quantiles(impl: ModuleType) -> None:
    data = _sample(1)
    low, high = impl.bootstrap_ci(data, np.mean, n_resamples=1000, seed=4, method="basic")
    stats = _replay(data, np.mean, 1000, seed=4)
    theta = float(np.mean(data))
    # basic: (2 theta - q_hi, 2 theta - q_lo), so 2 theta - low is the 0.975 quantile
    _check_bound(2 * theta - low, stats, 0.975, "2 * observed - low (basic method)")
    _check_bound(2 * theta - high, stats, 0.025, "2 * observed - high (basic method)")
    assert low <= high, f"the basic interval must have low <= high, got ({low}, {high})"


@pytest.mark.clause("resampling")
def test_same_seed_same_interval(impl: ModuleType) -> None:
    data = _sample(2)
    a = impl.bootstrap_ci(data, np.mean, n_resamples=500, seed=11)
    b = impl.bootstrap_ci(data, np.mean, n_resamples=500, seed=11)
    assert a == b, f"the same seed must give the same interval, got {a} and {b}"
    c = impl.bootstrap_ci(data, np.mean, n_resamples=500, seed=12)
    assert a != c, "different seeds gave identical intervals: seed default_rng(seed)"


@pytest.mark.clause("percentile")
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


@pytest.mark.clause("paired-together")
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


@pytest.mark.clause("confidence-range", "n-resamples", "method")
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


@pytest.mark.clause("data-shape", "paired-lengths")
def test_bad_data_raise_value_error(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.bootstrap_ci(np.array([]), np.mean)
        pytest.fail("bootstrap_ci should raise ValueError for empty data", pytrace=False)
    with pytest.raises(ValueError):
        impl.paired_bootstrap_ci(np.ones(5), np.ones(4), np.mean)
        pytest.fail(
            "paired_bootstrap_ci should raise ValueError for lengths 5 and 4", pytrace=False
        )


# -- judged against the reference --------------------------------------------------------------
# The resampling is replayed exactly; each bound may sit anywhere in the window of order
# statistics around its quantile (another quantile convention passes), plus an atol of 1e-9 of
# the data's magnitude for a mean or a difference summed in another order.
def _started(impl: ModuleType) -> None:
    """A valid call first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.bootstrap_ci(np.arange(3.0), np.mean, n_resamples=2, seed=0)


def _replayed(a, statistic, b, seed, method, confidence, other=None):
    """A compare= for valid arguments (it is only called when the reference returned)."""

    def compare(got, want) -> str | None:
        x = np.asarray(a, dtype=np.float64)
        stats = _replay(x, statistic, b, seed, other=other)
        observed = float(statistic(x[None, :], axis=1)[0])
        scale = max(1.0, float(np.abs(x).max()))
        if other is not None:
            observed -= float(statistic(np.asarray(other)[None, :], axis=1)[0])
            scale = max(scale, float(np.abs(other).max()))
        atol = 1e-9 * scale
        q_lo, q_hi = (1 - confidence) / 2, (1 + confidence) / 2
        if not (
            isinstance(got, tuple) and len(got) == 2 and all(isinstance(v, float) for v in got)
        ):
            return f"expected a tuple of two Python floats, got {diff.describe(got)}"
        low, high = got
        if not low <= high:
            return f"expected low <= high, got ({low}, {high})"
        if method == "basic":
            checks = [(2 * observed - high, q_lo, "2 * observed - high"),
                      (2 * observed - low, q_hi, "2 * observed - low")]  # fmt: skip
        else:
            checks = [(low, q_lo, "low"), (high, q_hi, "high")]
        for value, q, name in checks:
            lo, hi = _window(stats, q)
            if not lo - atol <= value <= hi + atol:
                return (
                    f"{name} = {value!r} should be the {q:.4g} quantile of the replayed bootstrap "
                    f"statistics, between {lo!r} and {hi!r} (reference {want}); observed is "
                    "statistic(data[None, :], axis=1)[0]"
                )
        return None

    return compare


_STATISTICS = st.sampled_from([np.mean, np.median, np.max])
_RESAMPLES = st.sampled_from([1, 2, 7, 60, 0, -3])
_CONFIDENCE = st.sampled_from([0.95, 0.5, 0.8, 0.999, 0.0, 1.0, -0.2, 1.5, float("nan")])
_METHOD = st.sampled_from(["percentile", "basic", "bca", "Basic"])


@pytest.mark.clause(
    "resampling", "quantiles", "percentile", "basic", "observed", "floats", "data-shape",
    "n-resamples", "confidence-range", "method",
)  # fmt: skip
@given(
    data=diff.float_arrays(min_dims=1, max_dims=2, max_side=8),
    statistic=_STATISTICS,
    n_resamples=_RESAMPLES,
    confidence=_CONFIDENCE,
    method=_METHOD,
    seed=st.integers(0, 2**32 - 1),
)
@example(
    data=np.array([]), statistic=np.mean, n_resamples=5, confidence=0.9, method="basic", seed=0
)
@example(
    data=np.ones((3, 2)), statistic=np.mean, n_resamples=5, confidence=0.9, method="basic", seed=0
)
@example(data=np.array([1.0, 5.0, 2.0]), statistic=np.median, n_resamples=60, confidence=0.8,
         method="basic", seed=1)  # fmt: skip
@example(data=np.array([3.0]), statistic=np.mean, n_resamples=1, confidence=0.5,
         method="percentile", seed=1)  # fmt: skip
def test_interval_agrees_with_the_reference(
    impl, reference, data, statistic, n_resamples, confidence, method, seed
) -> None:
    _started(impl)
    kwargs = {"n_resamples": n_resamples, "confidence": confidence, "seed": seed, "method": method}
    compare = None
    if data.ndim == 1 and data.size:
        compare = _replayed(data, statistic, n_resamples, seed, method, confidence)
    diff.assert_same(
        lambda: impl.bootstrap_ci(data, statistic, **kwargs),
        lambda: reference.bootstrap_ci(data, statistic, **kwargs),
        compare=compare,
    )


@st.composite
def _pairs(draw):
    n = draw(st.integers(0, 8))
    m = draw(st.sampled_from([n, n, n, n + 1, max(n - 1, 0)]))
    elements = st.floats(-1e3, 1e3, width=64)
    a = draw(hnp.arrays(np.float64, (n,), elements=elements))
    b = draw(st.one_of(hnp.arrays(np.float64, (m,), elements=elements), st.just(a[:m] + 1.0)))
    return a, b


@pytest.mark.clause(
    "paired-together", "observed", "paired-lengths", "data-shape", "basic", "percentile",
)  # fmt: skip
@given(
    pair=_pairs(),
    statistic=_STATISTICS,
    n_resamples=st.sampled_from([1, 5, 60]),
    confidence=st.sampled_from([0.95, 0.6]),
    method=st.sampled_from(["percentile", "basic"]),
    seed=st.integers(0, 2**32 - 1),
)
@example(pair=(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0])), statistic=np.mean,
         n_resamples=5, confidence=0.9, method="basic", seed=0)  # fmt: skip
@example(pair=(np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0])), statistic=np.mean,
         n_resamples=5, confidence=0.9, method="basic", seed=0)  # fmt: skip
@example(pair=(np.array([0.0, 9.0, 1.0, 4.0]), np.array([5.0, 0.0, 2.0, 2.0])),
         statistic=np.median, n_resamples=60, confidence=0.6, method="basic", seed=3)  # fmt: skip
@example(pair=(np.array([1.0, 2, 3, 4, 5, 6, 7]), np.array([7.0, 1, 6, 2, 5, 3, 4])),
         statistic=np.median, n_resamples=60, confidence=0.6, method="percentile",
         seed=3)  # fmt: skip
# median(a) - median(b) = 0 but median(a - b) = 1: the basic interval reflects around the former
@example(pair=(np.array([1.0, 2, 3, 4, 5, 6, 7]), np.array([7.0, 1, 6, 2, 5, 3, 4])),
         statistic=np.median, n_resamples=60, confidence=0.6, method="basic",
         seed=3)  # fmt: skip
def test_paired_interval_agrees_with_the_reference(
    impl, reference, pair, statistic, n_resamples, confidence, method, seed
) -> None:
    _started(impl)
    a, b = pair
    kwargs = {"n_resamples": n_resamples, "confidence": confidence, "seed": seed, "method": method}
    compare = None
    if a.shape == b.shape and a.size:
        compare = _replayed(a, statistic, n_resamples, seed, method, confidence, other=b)
    diff.assert_same(
        lambda: impl.paired_bootstrap_ci(a, b, statistic, **kwargs),
        lambda: reference.paired_bootstrap_ci(a, b, statistic, **kwargs),
        compare=compare,
    )


@pytest.mark.clause("data-shape")
def test_paired_inputs_must_be_vectors(impl: ModuleType, reference: ModuleType) -> None:
    _started(impl)
    for a, b in [(np.ones((2, 2)), np.ones((2, 2))), (np.array([]), np.array([]))]:
        diff.assert_same(
            lambda a=a, b=b: impl.paired_bootstrap_ci(a, b, np.mean),
            lambda a=a, b=b: reference.paired_bootstrap_ci(a, b, np.mean),
        )


@pytest.mark.clause("cost")
def test_memory_is_linear_in_resamples_times_n(impl: ModuleType) -> None:
    n, b = 100, 100
    data = _sample(8, n=n)
    tracemalloc.start()
    try:
        impl.bootstrap_ci(data, np.mean, n_resamples=b, seed=0)
        impl.paired_bootstrap_ci(data, data[::-1].copy(), np.mean, n_resamples=b, seed=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    bound = 8 * (8 * n * b) + 2**20
    assert peak <= bound, (
        f"n={n} and n_resamples={b} took {peak / 2**20:.1f} MiB at peak; the (B, n) index array "
        f"and data[idx] need about {2 * 8 * n * b / 2**20:.2f} MiB (O(n_resamples * n)): index "
        "the data directly, no (B, n, n) one-hot matrices"
    )
