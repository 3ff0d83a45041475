"""Tests of week6.welford_stats: agreement with NumPy, catastrophic cancellation, merge = one pass.

NumPy's two-pass ``np.mean`` / ``np.var`` in float64 is the oracle. The 1e9-offset cases are the
ones where ``E[x^2] - E[x]^2`` returns garbage.
Run: ``pytest weeks/week6/tests/test_welford_stats.py``.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

DRILL = settings(
    derandomize=True,
    deadline=None,
    max_examples=50,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # no shrinking: fast, still reproducible
)


def _one_by_one(impl: ModuleType, values) -> object:
    stats = impl.RunningStats()
    for v in values:
        assert stats.update(float(v)) is stats, "update must return self"
    return stats


def _check(stats, values: np.ndarray, what: str, rtol: float = 1e-10) -> None:
    assert stats.count == len(values), f"{what}: count should be {len(values)}, got {stats.count}"
    assert stats.mean == pytest.approx(float(np.mean(values)), rel=1e-12, abs=1e-12), (
        f"{what}: mean should be {np.mean(values)!r}, got {stats.mean!r}"
    )
    for ddof in (0, 1):
        want = float(np.var(values, ddof=ddof))
        got = stats.variance(ddof=ddof)
        assert got == pytest.approx(want, rel=rtol, abs=1e-12), (
            f"{what}: variance(ddof={ddof}) should be {want!r} (NumPy, two-pass), got {got!r}"
        )


def test_scalar_updates_match_numpy(impl: ModuleType) -> None:
    values = np.random.default_rng(0).normal(5.0, 3.0, size=500)
    stats = _one_by_one(impl, values)
    _check(stats, values, "500 scalar updates")
    assert stats.std(ddof=1) == pytest.approx(float(np.std(values, ddof=1)), rel=1e-10)


def test_batch_updates_match_numpy(impl: ModuleType) -> None:
    values = np.random.default_rng(1).exponential(2.0, size=1000)
    stats = impl.RunningStats()
    for chunk in np.array_split(values, [3, 4, 100, 100, 517]):  # includes an empty batch
        assert stats.update(chunk) is stats, "update must return self"
    _check(stats, values, "batch updates of sizes 3, 1, 96, 0, 417, 483")


def test_no_catastrophic_cancellation(impl: ModuleType) -> None:
    values = 1e9 + np.array([4.0, 7.0, 13.0, 16.0])
    stats = _one_by_one(impl, values)
    assert stats.variance(ddof=1) == pytest.approx(30.0, rel=1e-9), (
        f"for 1e9 + [4, 7, 13, 16] the sample variance is exactly 30 (like for [4, 7, 13, 16]); "
        f"got {stats.variance(ddof=1)!r}. E[x^2] - E[x]^2 cancels catastrophically around 1e9: "
        "use Welford's update"
    )
    batch = impl.RunningStats().update(values)
    assert batch.variance(ddof=1) == pytest.approx(30.0, rel=1e-9), (
        f"the same values as one batch: variance should be 30, got {batch.variance(ddof=1)!r}"
    )


def test_large_offset_tiny_spread(impl: ModuleType) -> None:
    values = 1e9 + np.random.default_rng(2).normal(0.0, 0.01, size=5000)
    _check(_one_by_one(impl, values[:2000]), values[:2000], "2000 values near 1e9", rtol=1e-6)
    halves = [impl.RunningStats().update(h) for h in np.array_split(values, 2)]
    _check(halves[0].merge(halves[1]), values, "two merged batches near 1e9", rtol=1e-6)


@DRILL
@given(
    values=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=4),
)
def test_merging_shards_equals_one_pass(impl: ModuleType, values: list, cuts: list) -> None:
    arr = np.array(values)
    shards = np.split(arr, sorted(c for c in cuts if c <= len(arr)))
    summaries = [_one_by_one(impl, shard) for shard in shards]
    merged = summaries[0]
    for s in summaries[1:]:
        merged = merged.merge(s)
    assert merged.count == len(arr), f"merged count should be {len(arr)}, got {merged.count}"
    assert merged.mean == pytest.approx(float(np.mean(arr)), rel=1e-9, abs=1e-6), (
        f"shards {[len(s) for s in shards]}: merged mean should be {np.mean(arr)}, got "
        f"{merged.mean}. mean = mean_a + delta * n_b / n"
    )
    want = float(np.var(arr))
    assert merged.variance() == pytest.approx(want, rel=1e-7, abs=1e-3), (
        f"shards {[len(s) for s in shards]}: merged variance should be {want}, got "
        f"{merged.variance()}. M2 = M2_a + M2_b + delta**2 * n_a * n_b / n"
    )


def test_merge_returns_a_new_summary(impl: ModuleType) -> None:
    a = impl.RunningStats().update(np.array([1.0, 2.0, 3.0]))
    b = impl.RunningStats().update(np.array([10.0, 20.0]))
    merged = a.merge(b)
    assert merged is not a and merged is not b, "merge must return a new RunningStats"
    assert (a.count, a.mean, b.count, b.mean) == (3, 2.0, 2, 15.0), (
        "merge must not change its inputs"
    )
    _check(merged, np.array([1.0, 2.0, 3.0, 10.0, 20.0]), "merge of [1, 2, 3] and [10, 20]")
    empty = impl.RunningStats()
    _check(empty.merge(a), np.array([1.0, 2.0, 3.0]), "empty.merge(a)")
    _check(a.merge(impl.RunningStats()), np.array([1.0, 2.0, 3.0]), "a.merge(empty)")


def test_std_is_the_root_of_the_variance(impl: ModuleType) -> None:
    stats = impl.RunningStats().update([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert stats.std() == pytest.approx(2.0), (
        f"population std of the classic example is 2, got {stats.std()}"
    )
    assert stats.std(ddof=1) == pytest.approx(math.sqrt(32 / 7))


def test_errors(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        _ = impl.RunningStats().mean
        pytest.fail("the mean of an empty summary should raise ValueError", pytrace=False)
    one = impl.RunningStats().update(3.0)
    assert one.variance() == 0.0, "the population variance of one value is 0"
    with pytest.raises(ValueError):
        one.variance(ddof=1)
        pytest.fail("variance(ddof=1) of one value should raise ValueError", pytrace=False)
    with pytest.raises(ValueError):
        impl.RunningStats().update(np.ones((2, 2)))
        pytest.fail("update with a 2-D array should raise ValueError", pytrace=False)
