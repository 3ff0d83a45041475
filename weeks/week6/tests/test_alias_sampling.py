"""Tests of week6.alias_sampling: Vose's alias tables and O(1) sampling.

Judges: the distribution encoded by ``prob`` / ``alias`` must equal the normalised weights
exactly; ``scipy.stats.chisquare`` on 200 000 seeded draws; zero weights never drawn; draws that
follow the tables (the test swaps in its own); and the work of the build, counted on 3000
weights. Run: ``pytest weeks/week6/tests/test_alias_sampling.py``.
"""

from __future__ import annotations

import sys
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import chisquare

from grader import differential as diff

DRAWS = 200_000
P_MIN = 1e-4  # seeded draws: a correct sampler passes deterministically

WEIGHTS = {
    "uniform": np.ones(6),
    "integers": np.array([1.0, 3.0, 0.0, 4.0]),
    "one_dominant": np.array([1000.0, 1.0, 1.0, 1.0, 1.0]),
    "many_small": np.random.default_rng(0).random(50) ** 4,
    "with_zeros": np.array([0.0, 2.5, 0.0, 0.5, 7.0, 0.0]),
    "single_item": np.array([3.0]),
    "skewed": np.geomspace(1e-3, 1.0, 12),
}


def _implied(prob: np.ndarray, alias: np.ndarray) -> np.ndarray:
    """The distribution a (prob, alias) table draws from."""
    prob, alias = np.asarray(prob, dtype=np.float64), np.asarray(alias, dtype=np.int64)
    n = len(prob)
    p = prob.copy()
    np.add.at(p, alias, 1.0 - prob)
    return p / n


class _ArrayWork:
    """Profile hook: sums the sizes of arrays passed to Python-level calls and of arrays whose
    methods are called (see test_decision_stump.py for the same idea)."""

    def __init__(self) -> None:
        self.elements = 0

    def __call__(self, frame, event: str, arg: object) -> None:
        if event == "call":
            for value in frame.f_locals.values():
                if isinstance(value, np.ndarray):
                    self.elements += value.size
                elif isinstance(value, list | tuple):
                    self.elements += sum(v.size for v in value if isinstance(v, np.ndarray))
        elif event == "c_call":
            owner = getattr(arg, "__self__", None)
            if isinstance(owner, np.ndarray):
                self.elements += owner.size


@pytest.mark.clause("tables", "distribution")
@pytest.mark.parametrize("name", list(WEIGHTS))
def test_tables_encode_the_distribution_exactly(impl: ModuleType, name: str) -> None:
    weights = WEIGHTS[name]
    sampler = impl.AliasSampler(weights, seed=0)
    prob, alias = np.asarray(sampler.prob), np.asarray(sampler.alias)
    n = len(weights)
    assert prob.shape == (n,) and alias.shape == (n,), (
        f"prob and alias must have shape ({n},), got {prob.shape} and {alias.shape}"
    )
    assert np.all((prob >= 0) & (prob <= 1 + 1e-12)), f"prob must lie in [0, 1], got {prob}"
    assert np.all((alias >= 0) & (alias < n)), f"alias entries must be indices in [0, {n})"
    want = weights / weights.sum()
    got = _implied(prob, alias)
    worst = int(np.argmax(np.abs(got - want)))
    assert np.allclose(got, want, atol=1e-12), (
        f"{name}: the table draws item {worst} with probability {got[worst]:.6g} but its weight "
        f"share is {want[worst]:.6g}. Column i gives i with prob[i] and alias[i] otherwise; the "
        "large item of a pair must donate exactly 1 - q_small"
    )


@pytest.mark.clause("distribution", "sample")
@pytest.mark.parametrize("name", ["integers", "one_dominant", "skewed", "with_zeros"])
def test_draws_pass_a_chi_square_test(impl: ModuleType, name: str) -> None:
    weights = WEIGHTS[name]
    sampler = impl.AliasSampler(weights, seed=1)
    draws = np.asarray(sampler.sample(DRAWS))
    assert draws.shape == (DRAWS,), f"sample({DRAWS}) must return shape ({DRAWS},)"
    positive = weights > 0
    observed = np.bincount(draws, minlength=len(weights))[positive]
    expected = DRAWS * weights[positive] / weights.sum()
    result = chisquare(observed, expected)
    assert result.pvalue > P_MIN, (
        f"{name}: {DRAWS} draws do not follow the weights (chi-square p = {result.pvalue:.2g}); "
        f"observed {observed[:6].tolist()}..., expected {np.round(expected[:6]).tolist()}..."
    )


@pytest.mark.clause("zero-never")
def test_zero_weights_are_never_drawn(impl: ModuleType) -> None:
    weights = WEIGHTS["with_zeros"]
    draws = np.asarray(impl.AliasSampler(weights, seed=2).sample(100_000))
    drawn = sorted(set(np.unique(draws).tolist()) & {0, 2, 5})
    assert not drawn, f"items {drawn} have weight 0 but were drawn"


@pytest.mark.clause("distribution")
def test_single_item_is_always_drawn(impl: ModuleType) -> None:
    draws = np.asarray(impl.AliasSampler([2.0], seed=3).sample(1000))
    assert np.all(draws == 0), "with one item every draw is 0"


@pytest.mark.clause("uses-tables", "complexity")
def test_sample_uses_the_tables(impl: ModuleType) -> None:
    sampler = impl.AliasSampler([1.0, 1.0, 1.0], seed=4)
    sampler.prob = np.array([1.0, 0.0, 0.5])
    sampler.alias = np.array([0, 0, 1])  # encodes [2/3, 1/6, 1/6] whatever the weights were
    draws = np.asarray(sampler.sample(60_000))
    observed = np.bincount(draws, minlength=3)
    result = chisquare(observed, 60_000 * np.array([2 / 3, 1 / 6, 1 / 6]))
    assert result.pvalue > P_MIN, (
        "sample() must draw from the prob/alias tables (column i uniformly, then i with "
        "probability prob[i], else alias[i]); with prob=[1, 0, 0.5], alias=[0, 0, 1] the draws "
        f"should follow [2/3, 1/6, 1/6], got frequencies {np.round(observed / 60_000, 3)}"
    )


@pytest.mark.clause("seeded")
def test_seeded_sampler_is_reproducible(impl: ModuleType) -> None:
    weights = WEIGHTS["skewed"]
    a = np.asarray(impl.AliasSampler(weights, seed=5).sample(1000))
    b = np.asarray(impl.AliasSampler(weights, seed=5).sample(1000))
    c = np.asarray(impl.AliasSampler(weights, seed=6).sample(1000))
    assert np.array_equal(a, b), "the same seed must give the same draws"
    assert not np.array_equal(a, c), "different seeds should give different draws"
    assert np.issubdtype(a.dtype, np.integer), f"draws must be integers, got {a.dtype}"


@pytest.mark.clause("sample")
def test_sample_sizes(impl: ModuleType) -> None:
    sampler = impl.AliasSampler([1.0, 2.0], seed=7)
    assert np.asarray(sampler.sample(0)).shape == (0,), "sample(0) returns an empty array"
    with pytest.raises(ValueError):
        sampler.sample(-1)
        pytest.fail("sample(-1) must raise ValueError")


@pytest.mark.clause("weights-errors")
@pytest.mark.parametrize(
    ("weights", "why"),
    [
        ([], "no weights"),
        ([1.0, -0.5], "a negative weight"),
        ([0.0, 0.0], "all weights zero"),
        ([1.0, float("nan")], "a NaN weight"),
        ([[1.0, 2.0]], "2-D weights"),
    ],
)
def test_invalid_weights_raise(impl: ModuleType, weights: list, why: str) -> None:
    with pytest.raises(ValueError):
        impl.AliasSampler(weights, seed=0)
        pytest.fail(f"AliasSampler should raise ValueError for {why}")


@pytest.mark.clause("build-linear", "complexity")
def test_build_work_is_linear(impl: ModuleType) -> None:
    n = 3000
    weights = np.random.default_rng(8).random(n) ** 3
    counter = _ArrayWork()
    sys.setprofile(counter)
    try:
        sampler = impl.AliasSampler(weights, seed=9)
    finally:
        sys.setprofile(None)
    budget = 100 * n
    assert counter.elements <= budget, (
        f"building the tables for {n} weights handed {counter.elements:,} array elements to "
        f"function and method calls (limit {budget:,}): scanning the array for the smallest and "
        "largest remaining item at every step is O(n^2); keep small/large work lists instead"
    )
    implied = _implied(sampler.prob, sampler.alias)
    assert np.allclose(implied, weights / weights.sum(), atol=1e-12), (
        f"the prob and alias tables for {n} weights should draw from the normalized weights; "
        f"the largest difference is {np.abs(implied - weights / weights.sum()).max():.3g}"
    )


# -- judged against the reference --------------------------------------------------------------
# Tables are not unique (Vose's pairing order is free), so the learner's tables are judged by the
# distribution they encode (within 1e-12, rounding of n subtractions), and the draws by their
# shape, dtype and support; errors must match the reference's.
def _started(impl: ModuleType) -> None:
    """A valid call first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.AliasSampler([1.0], seed=0).sample(1)


def _build_and_draw(module: ModuleType, weights, k: int):
    sampler = module.AliasSampler(weights, seed=3)
    drawn = diff.call(sampler.sample, k)
    return sampler.prob, sampler.alias, type(drawn.error).__name__ if drawn.raised else drawn.value


def _encodes(weights, k: int):
    def compare(got, want) -> str | None:
        prob, alias, draws = got
        w = np.asarray(weights, dtype=np.float64)
        n = len(w)
        prob, alias = np.asarray(prob), np.asarray(alias)
        if prob.shape != (n,) or alias.shape != (n,) or alias.dtype.kind not in "iu":
            return f"prob and alias must be ({n},) arrays (alias of ints), got {prob}, {alias}"
        if not ((prob >= 0) & (prob <= 1 + 1e-12)).all() or not ((alias >= 0) & (alias < n)).all():
            return f"prob must lie in [0, 1] and alias in [0, {n}), got {prob}, {alias}"
        shares = w / w.max()  # scaled first: finite weights may have an infinite sum
        implied, p = _implied(prob, alias), shares / shares.sum()
        if not np.allclose(implied, p, rtol=0, atol=1e-12):
            return f"the tables encode {implied}, not the weight shares {p}"
        if isinstance(want[2], str):
            return None if draws == want[2] else f"sample({k}): expected {want[2]}, got {draws!r}"
        if not isinstance(draws, np.ndarray) or draws.dtype != np.int64 or draws.shape != (k,):
            return f"sample({k}) must return an int64 array of shape ({k},), got {draws!r}"
        if ((draws < 0) | (draws >= n)).any() or (w[draws] == 0).any():
            return f"sample({k}) drew {draws}: only items of positive weight may be drawn"
        return None

    return compare


@st.composite
def _weights(draw):
    w = draw(
        hnp.arrays(
            np.float64,
            st.integers(0, 20),
            elements=st.one_of(st.sampled_from([0.0, 1.0, 2.5, 1e-3, 1e6]), st.floats(0, 100)),
        )
    )
    flaw = draw(st.sampled_from(["none"] * 8 + ["negative", "nan", "inf", "zeros", "2-D"]))
    if flaw == "negative" and w.size:
        w[draw(st.integers(0, w.size - 1))] = -1e-9
    elif flaw == "nan" and w.size:
        w[0] = np.nan
    elif flaw == "inf" and w.size:
        w[-1] = np.inf
    elif flaw == "zeros":
        w = np.zeros_like(w)
    elif flaw == "2-D":
        w = w[None, :]
    return w


@pytest.mark.clause("tables", "distribution", "zero-never", "weights-errors", "sample")
@given(weights=_weights(), k=st.sampled_from([0, 1, 7, 50, -1]))
@example(weights=np.array([1.0, 3.0, 0.0, 4.0]), k=20)
@example(weights=np.array([0.0, 0.0, 5.0]), k=30)
@example(weights=np.array([1.0, np.inf]), k=1)
@example(weights=np.array([1e308, 1e308, 0.0]), k=20)  # finite, but the sum overflows
@example(weights=np.array([1.0, 2.0]), k=-1)
@example(weights=np.zeros(0), k=1)
def test_sampler_agrees_with_the_reference(impl, reference, weights, k) -> None:
    _started(impl)
    with np.errstate(all="ignore"):
        diff.assert_same(
            lambda: _build_and_draw(impl, weights, k),
            lambda: _build_and_draw(reference, weights, k),
            compare=_encodes(weights, k),
        )


@pytest.mark.clause("seeded")
def test_successive_samples_continue_one_stream(impl: ModuleType) -> None:
    sampler = impl.AliasSampler(WEIGHTS["skewed"], seed=11)
    first, second = np.asarray(sampler.sample(500)), np.asarray(sampler.sample(500))
    assert not np.array_equal(first, second), (
        "two successive sample(500) calls returned the same draws: create the generator once "
        "in __init__ (np.random.default_rng(seed)) and keep drawing from it"
    )
