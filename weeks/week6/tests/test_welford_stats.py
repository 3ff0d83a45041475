"""Tests of week6.welford_stats: agreement with NumPy, catastrophic cancellation, merge = one pass.

NumPy's two-pass ``np.mean`` / ``np.var`` in float64 is the oracle. The 1e9-offset cases are the
ones where ``E[x^2] - E[x]^2`` returns garbage.
Run: ``pytest weeks/week6/tests/test_welford_stats.py``.
"""

from __future__ import annotations

import math
import tracemalloc
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

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


@pytest.mark.clause("update", "update-self", "moments")
def test_scalar_updates_match_numpy(impl: ModuleType) -> None:
    values = np.random.default_rng(0).normal(5.0, 3.0, size=500)
    stats = _one_by_one(impl, values)
    _check(stats, values, "500 scalar updates")
    std = stats.std(ddof=1)
    assert std == pytest.approx(float(np.std(values, ddof=1)), rel=1e-10), (
        "std(ddof=1) after 500 scalar updates should match np.std(values, ddof=1) = "
        f"{float(np.std(values, ddof=1))!r}, got {std!r}"
    )


@pytest.mark.clause("update", "update-self", "empty-batch", "moments")
def test_batch_updates_match_numpy(impl: ModuleType) -> None:
    values = np.random.default_rng(1).exponential(2.0, size=1000)
    stats = impl.RunningStats()
    for chunk in np.array_split(values, [3, 4, 100, 100, 517]):  # includes an empty batch
        assert stats.update(chunk) is stats, "update must return self"
    _check(stats, values, "batch updates of sizes 3, 1, 96, 0, 417, 483")


@pytest.mark.clause("stable")
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


@pytest.mark.clause("stable", "merge")
def test_large_offset_tiny_spread(impl: ModuleType) -> None:
    values = 1e9 + np.random.default_rng(2).normal(0.0, 0.01, size=5000)
    # Welford's step loses about eps * kappa per value (kappa = |mean| / std = 1e11 here), and the
    # rounding errors of n steps add up like a random walk: rtol = sqrt(n) * eps * kappa (~1e-3).
    # E[x^2] - E[x]^2 is off by eps * kappa**2 (~1e6), far outside.
    kappa = 1e9 / 0.01
    rtol = np.sqrt(len(values)) * np.finfo(float).eps * kappa
    _check(_one_by_one(impl, values[:2000]), values[:2000], "2000 values near 1e9", rtol=rtol)
    halves = [impl.RunningStats().update(h) for h in np.array_split(values, 2)]
    _check(halves[0].merge(halves[1]), values, "two merged batches near 1e9", rtol=rtol)


@pytest.mark.clause("merge")
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


@pytest.mark.clause("merge-new", "merge", "empty")
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


@pytest.mark.clause("moments")
def test_std_is_the_root_of_the_variance(impl: ModuleType) -> None:
    stats = impl.RunningStats().update([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert stats.std() == pytest.approx(2.0), (
        f"population std of the classic example is 2, got {stats.std()}"
    )
    std = stats.std(ddof=1)
    assert std == pytest.approx(math.sqrt(32 / 7)), (
        f"sample std (ddof=1) of the classic example is sqrt(32 / 7) = {math.sqrt(32 / 7):.6f}, "
        f"got {std!r}"
    )


@pytest.mark.clause("empty-mean", "ddof-range", "update-2d")
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


# -- judged against the reference --------------------------------------------------------------
# A random program of scalar updates, batches, merges and bad updates runs on both classes; then
# every query is compared. Tolerances follow the error analysis of the updating algorithms (Chan,
# Golub and LeVeque): M2 is within about n * eps * ||x|| * sqrt(M2) of the truth, so a two-pass
# batch, Welford's step or a different merge order all pass, while E[x^2] - E[x]^2 (error
# eps * ||x||^2) fails by orders of magnitude once the offset dwarfs the spread.
def _started(impl: ModuleType) -> None:
    """A valid call first, so a stub's NotImplementedError reads *not started*."""
    impl.RunningStats().update(1.0).variance()


_UNIT = st.one_of(st.floats(-1.0, 1.0), st.sampled_from([0.0, 1.0, -1.0]))
_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("scalar"), _UNIT, st.sampled_from(["float", "int", "0-d"])),
        st.tuples(
            st.just("batch"), st.lists(_UNIT, max_size=6), st.sampled_from(["list", "array"])
        ),
        st.tuples(
            st.just("merge"), st.lists(_UNIT, max_size=6), st.sampled_from(["left", "right"])
        ),
        st.tuples(st.just("2-d"), st.lists(_UNIT, min_size=1, max_size=4), st.just("")),
    ),
    max_size=8,
)


def _run(module: ModuleType, offset: float, scale: float, ops: list) -> dict:
    """Run the program; return every query's outcome (a value, or the exception type's name)."""
    values: list[float] = []
    stats = module.RunningStats()
    out: dict = {}
    for step, (op, arg, how) in enumerate(ops):
        if op == "scalar":
            v = round(offset + scale * arg) if how == "int" else offset + scale * arg
            values.append(float(v))
            got = stats.update(np.array(v) if how == "0-d" else v)
            out[f"step {step}: update returns self"] = got is stats
        elif op == "batch":
            batch = [offset + scale * a for a in arg]
            values += batch
            got = stats.update(batch if how == "list" else np.array(batch))
            out[f"step {step}: update returns self"] = got is stats
        elif op == "merge":
            other = module.RunningStats().update(np.array([offset + scale * a for a in arg]))
            before = (stats.count, other.count)
            merged = stats.merge(other) if how == "left" else other.merge(stats)
            out[f"step {step}: merge returns a new summary, inputs unchanged"] = (
                merged is not stats and merged is not other and (stats.count, other.count) == before
            )
            values += [offset + scale * a for a in arg]
            stats = merged
        else:
            count = stats.count
            out[f"step {step}: update(2-D)"] = diff.call(
                stats.update, np.array([[offset + scale * a for a in arg]] * 2)
            ).error.__class__.__name__
            out[f"step {step}: count after a rejected 2-D update"] = stats.count == count
    out["count"] = stats.count
    for name, fn in [("mean", lambda: stats.mean)] + [
        (f"{q}(ddof={d})", lambda q=q, d=d: getattr(stats, q)(ddof=d))
        for q in ("variance", "std")
        for d in (0, 1, 2)
    ]:
        got = diff.call(fn)
        out[name] = type(got.error).__name__ if got.raised else got.value
    out["values"] = values
    return out


def _close(got: dict, want: dict) -> str | None:
    x = np.array(want["values"])
    n = max(len(x), 1)
    eps = np.finfo(float).eps
    norm = float(np.linalg.norm(x))
    m2 = float(((x - x.mean()) ** 2).sum()) if len(x) else 0.0
    for key, w in want.items():
        if key == "values":
            continue
        g = got[key]
        if isinstance(w, (str, bool)) or key == "count":
            if g != w or type(g) is not type(w):
                return f"{key}: expected {w!r}, got {g!r}"
            continue
        if isinstance(g, str) or not isinstance(g, (float, int)) or isinstance(g, bool):
            return f"{key}: expected the float {w!r}, got {g!r}"
        if key == "mean":
            atol = 4 * n * eps * float(np.abs(x).max())
        else:
            ddof = int(key[-2])
            atol = 8 * n * eps * norm * (np.sqrt(m2) + eps * norm) / (len(x) - ddof)
            atol = float(np.sqrt(atol)) if key.startswith("std") else atol
        if not abs(g - w) <= atol + 1e-12 * abs(w):
            return f"{key}: expected {w!r}, got {g!r} (tolerance {atol:.3g})"
    return None


@pytest.mark.clause(
    "empty", "update", "update-self", "empty-batch", "merge", "merge-new", "moments", "stable",
    "empty-mean", "ddof-range", "update-2d",
)  # fmt: skip
@given(
    offset=st.sampled_from([0.0, 1e9, -3e6, 0.5, 1e12]),
    scale=st.sampled_from([1.0, 1e-3, 100.0]),
    ops=_OPS,
)
@example(offset=1e9, scale=1.0, ops=[("batch", [0.004, 0.007, 0.013, 0.016], "array")])
@example(offset=1e9, scale=10.0, ops=[("scalar", v, "float") for v in (0.4, 0.7, 1.3, 1.6)])
@example(
    offset=1e9, scale=10.0, ops=[("merge", [0.4, 0.7], "left"), ("merge", [1.3, 1.6], "right")]
)
@example(offset=0.0, scale=1.0, ops=[("merge", [], "left"), ("batch", [], "list")])
@example(offset=5.0, scale=1.0, ops=[("scalar", 0.0, "int"), ("2-d", [1.0], "")])
def test_summaries_agree_with_the_reference(impl, reference, offset, scale, ops) -> None:
    _started(impl)
    diff.assert_same(
        lambda: _run(impl, offset, scale, ops),
        lambda: _run(reference, offset, scale, ops),
        compare=_close,
    )


@pytest.mark.clause("memory")
def test_memory_does_not_grow_with_the_stream(impl: ModuleType) -> None:
    stats = impl.RunningStats().update(1.0)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for i in range(20_000):
            stats.update(float(i % 97))
        stats.update(np.arange(1000.0))
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 20_000, (
        f"20,000 updates left {(after - before) / 1024:.0f} KiB more memory held by your "
        "summary; keep three numbers (count, mean, M2), never the values"
    )
