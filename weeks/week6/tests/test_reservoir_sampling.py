"""Tests of week6.reservoir_sampling: uniformity (chi-square over seeded runs), one pass, O(k)
memory, and weight proportionality.

Every frequency test uses a seeded ``random.Random`` and ``scipy.stats``, so a result is
reproducible; a correct sampler passes with a wide margin.
Run: ``pytest weeks/week6/tests/test_reservoir_sampling.py``.
"""

from __future__ import annotations

import heapq
import random
import weakref
from collections import Counter
from itertools import combinations
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.stats import chi2_contingency, chisquare

from grader import differential as diff

P_MIN = 1e-4  # a fair sampler fails a test with this probability or less


class OnePass:
    """An iterable that can be iterated once, has no len(), and counts what was read."""

    def __init__(self, items: list) -> None:
        self.items = items
        self.started = False
        self.read = 0

    def __iter__(self):
        assert not self.started, (
            "the stream was iterated twice; a stream can only be read once (no len(), no "
            "second pass)"
        )
        self.started = True
        for item in self.items:
            self.read += 1
            yield item


class _Item:
    __slots__ = ("__weakref__", "value")

    def __init__(self, value: int) -> None:
        self.value = value


def _watched_stream(n: int, alive: weakref.WeakSet, peak: list[int]):
    for i in range(n):
        peak[0] = max(peak[0], len(alive))
        item = _Item(i)
        alive.add(item)
        yield item
        del item


def _check_p(p_value: float, what: str, detail: str) -> None:
    assert p_value > P_MIN, (
        f"{what} is not what the algorithm gives (chi-square p = {p_value:.2e}). {detail}"
    )


# -- Algorithm R -------------------------------------------------------------------------------
@pytest.mark.clause("short-stream")
def test_short_stream_returns_everything(impl: ModuleType) -> None:
    got = impl.reservoir_sample(iter(["a", "b", "c"]), 5, random.Random(0))
    assert got == ["a", "b", "c"], f"a stream of 3 items with k=5 returns all 3 in order, got {got}"
    assert impl.reservoir_sample(iter(range(4)), 0, random.Random(0)) == [], "k=0 gives []"


@pytest.mark.clause("one-pass")
def test_reads_the_stream_once(impl: ModuleType) -> None:
    stream = OnePass(list(range(1000)))
    got = impl.reservoir_sample(stream, 7, random.Random(1))
    assert len(got) == 7 and len(set(got)) == 7, f"expected 7 distinct items, got {got}"
    assert stream.read == 1000, f"the whole stream must be read once, read {stream.read} of 1000"


@pytest.mark.clause("memory")
def test_memory_is_bounded_by_k(impl: ModuleType) -> None:
    alive: weakref.WeakSet = weakref.WeakSet()
    peak = [0]
    got = impl.reservoir_sample(_watched_stream(2000, alive, peak), 5, random.Random(2))
    assert len(got) == 5, (
        f"reservoir_sample of a 2000-item stream with k=5 should return 5 items, got {len(got)}"
    )
    assert peak[0] <= 5 + 2, (
        f"with k=5 you held {peak[0]} stream items at once; keep only the reservoir (O(k) "
        "memory), never list(stream)"
    )


@pytest.mark.clause("uniform")
def test_inclusion_is_uniform(impl: ModuleType) -> None:
    rng = random.Random(3)
    n, k, runs = 20, 5, 4000
    counts = Counter()
    for _ in range(runs):
        counts.update(impl.reservoir_sample(iter(range(n)), k, rng))
    observed = [counts[i] for i in range(n)]
    p_value = chisquare(observed, [runs * k / n] * n).pvalue
    _check_p(
        p_value,
        f"how often each of {n} items lands in a sample of {k} ({observed})",
        f"Each should appear about {runs * k // n} times: item i (0-based) enters with "
        "probability k / (i + 1), i.e. j = rng.randrange(i + 1) and replace when j < k",
    )


@pytest.mark.clause("uniform")
def test_every_subset_is_equally_likely(impl: ModuleType) -> None:
    rng = random.Random(4)
    n, k, runs = 5, 2, 3000
    counts = Counter(frozenset(impl.reservoir_sample(iter(range(n)), k, rng)) for _ in range(runs))
    subsets = [frozenset(c) for c in combinations(range(n), k)]
    observed = [counts[s] for s in subsets]
    assert sum(observed) == runs, f"every sample must be a {k}-subset of range({n})"
    _check_p(
        chisquare(observed).pvalue,
        f"the frequency of the 10 possible pairs out of range(5) ({observed})",
        "Every k-subset must be equally likely: replace a uniformly random slot",
    )


@pytest.mark.clause("rng-only")
def test_same_seed_same_sample(impl: ModuleType) -> None:
    a = impl.reservoir_sample(iter(range(500)), 10, random.Random(42))
    b = impl.reservoir_sample(iter(range(500)), 10, random.Random(42))
    assert a == b, "the same seeded rng must give the same sample (use only `rng`)"


# -- A-Res -------------------------------------------------------------------------------------
def _a_res(pairs: list, k: int, rng: random.Random) -> list:
    keys = [(rng.random() ** (1.0 / w), i, item) for i, (item, w) in enumerate(pairs)]
    return [item for _, _, item in heapq.nlargest(k, keys)]


@pytest.mark.clause("proportional")
def test_weighted_single_pick_is_proportional_to_weight(impl: ModuleType) -> None:
    rng = random.Random(5)
    weights = [1.0, 2.0, 3.0, 4.0]
    runs = 4000
    counts = Counter()
    for _ in range(runs):
        got = impl.weighted_reservoir_sample(iter(zip("abcd", weights, strict=True)), 1, rng)
        assert len(got) == 1, f"k=1 must return one item, got {got}"
        counts.update(got)
    observed = [counts[c] for c in "abcd"]
    _check_p(
        chisquare(observed, [runs * w / 10 for w in weights]).pvalue,
        f"with weights 1:2:3:4 and k=1 the pick counts ({observed})",
        "They should be about 400/800/1200/1600: key = u ** (1 / w), keep the LARGEST keys",
    )


@pytest.mark.clause("largest-keys")
def test_weighted_sample_matches_a_res(impl: ModuleType) -> None:
    pairs = list(zip("abcdef", [0.5, 1.0, 1.0, 2.0, 4.0, 8.0], strict=True))
    runs, k = 3000, 3
    ours, ref = Counter(), Counter()
    rng, ref_rng = random.Random(6), random.Random(60)
    for _ in range(runs):
        got = impl.weighted_reservoir_sample(iter(pairs), k, rng)
        assert len(got) == k and len(set(got)) == k, f"expected {k} distinct items, got {got}"
        ours.update(got)
        ref.update(_a_res(pairs, k, ref_rng))
    table = np.array([[ours[c] for c in "abcdef"], [ref[c] for c in "abcdef"]])
    _check_p(
        chi2_contingency(table).pvalue,
        f"inclusion counts of 6 weighted items in samples of 3 (yours {table[0].tolist()}, "
        f"A-Res {table[1].tolist()})",
        "Keep the k largest keys u ** (1 / w) with a size-k min-heap",
    )


@pytest.mark.clause("one-pass", "short-stream")
def test_weighted_reads_once_and_handles_short_streams(impl: ModuleType) -> None:
    stream = OnePass([(i, 1.0 + i % 3) for i in range(300)])
    got = impl.weighted_reservoir_sample(stream, 4, random.Random(7))
    assert len(got) == 4 and stream.read == 300, "read all 300 pairs once and return 4 items"
    got = impl.weighted_reservoir_sample(iter([("x", 1.0), ("y", 2.0)]), 5, random.Random(7))
    assert sorted(got) == ["x", "y"], f"a 2-item stream with k=5 returns both items, got {got}"


@pytest.mark.clause("k-negative", "weight-positive")
def test_bad_arguments_raise_value_error(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.reservoir_sample(iter(range(5)), -1, random.Random(0))
        pytest.fail("reservoir_sample should raise ValueError for k=-1", pytrace=False)
    with pytest.raises(ValueError):
        impl.weighted_reservoir_sample(iter([("a", 1.0), ("b", 0.0)]), 1, random.Random(0))
        pytest.fail("a weight of 0 should raise ValueError", pytrace=False)
    with pytest.raises(ValueError):
        impl.weighted_reservoir_sample(iter([("a", -2.0)]), 1, random.Random(0))
        pytest.fail("a negative weight should raise ValueError", pytrace=False)


# -- judged against the reference --------------------------------------------------------------
def _started(fn, *args) -> None:
    """Call ``fn`` on a valid input first, so a stub's NotImplementedError reads *not started*
    (assert_same reports it as a wrong exception where the reference raises ValueError)."""
    fn(*args)


# The spec fixes how the seeded rng is used (one rng.randrange(i + 1) per item after the first k;
# one rng.random() per item for A-Res), so the same seed must give the reference's very sample.
@pytest.mark.clause("algorithm-r", "short-stream", "k-negative", "rng-only")
@given(n=st.integers(0, 30), k=st.integers(-2, 12), seed=st.integers(0, 2**32 - 1))
@example(n=0, k=-1, seed=0)
@example(n=5, k=5, seed=1)
@example(n=6, k=5, seed=2)
@example(n=20, k=1, seed=3)
def test_sample_agrees_with_the_reference(impl, reference, n, k, seed) -> None:
    _started(impl.reservoir_sample, iter([]), 0, random.Random(0))
    diff.assert_same(
        lambda: impl.reservoir_sample(iter(range(n)), k, random.Random(seed)),
        lambda: reference.reservoir_sample(iter(range(n)), k, random.Random(seed)),
    )


# Weights stay within [0.1, 10]: keys u ** (1 / w) then never underflow to a tie at 0.0, so a
# log-space key (log(u) / w, the same order) gives the same sample.
_WEIGHTS = st.one_of(
    st.floats(0.1, 10.0),
    st.sampled_from([0.1, 1.0, 10.0]),
)
_BAD_WEIGHTS = st.sampled_from([0.0, -1.0, -1e-300, float("nan"), float("-inf")])


@pytest.mark.clause("largest-keys", "decreasing-key", "short-stream", "k-negative", "rng-only")
@given(
    weights=st.lists(_WEIGHTS, max_size=15),
    k=st.integers(-1, 8),
    seed=st.integers(0, 2**32 - 1),
)
@example(weights=[1.0, 2.0, 3.0], k=0, seed=0)
@example(weights=[], k=-1, seed=0)
@example(weights=[0.1, 10.0, 1.0, 5.0], k=4, seed=5)
def test_weighted_sample_agrees_with_the_reference(impl, reference, weights, k, seed) -> None:
    _started(impl.weighted_reservoir_sample, iter([]), 0, random.Random(0))
    pairs = [(f"item{i}", w) for i, w in enumerate(weights)]
    diff.assert_same(
        lambda: impl.weighted_reservoir_sample(iter(pairs), k, random.Random(seed)),
        lambda: reference.weighted_reservoir_sample(iter(pairs), k, random.Random(seed)),
    )


@pytest.mark.clause("weight-positive")
@given(
    weights=st.lists(_WEIGHTS, max_size=6),
    bad=_BAD_WEIGHTS,
    where=st.integers(0, 6),
    k=st.integers(0, 4),
)
@example(weights=[1.0, 2.0], bad=float("nan"), where=1, k=1)
@example(weights=[1.0, 2.0], bad=0.0, where=2, k=0)
def test_a_bad_weight_anywhere_raises_value_error(impl, reference, weights, bad, where, k) -> None:
    _started(impl.weighted_reservoir_sample, iter([]), 0, random.Random(0))
    weights = [*weights[:where], bad, *weights[where:]]
    pairs = [(f"item{i}", w) for i, w in enumerate(weights)]
    diff.assert_same(
        lambda: impl.weighted_reservoir_sample(iter(pairs), k, random.Random(0)),
        lambda: reference.weighted_reservoir_sample(iter(pairs), k, random.Random(0)),
    )


@pytest.mark.clause("memory")
def test_weighted_memory_is_bounded_by_k(impl: ModuleType) -> None:
    alive: weakref.WeakSet = weakref.WeakSet()
    peak = [0]
    pairs = ((item, 1.0 + item.value % 3) for item in _watched_stream(2000, alive, peak))
    got = impl.weighted_reservoir_sample(pairs, 5, random.Random(2))
    assert len(got) == 5, (
        f"weighted_reservoir_sample of a 2000-item stream with k=5 should return 5 items, "
        f"got {len(got)}"
    )
    assert peak[0] <= 5 + 2, (
        f"with k=5 you held {peak[0]} stream items at once; keep only a heap of k (key, item) "
        "entries (O(k) memory), never list(stream)"
    )


def _counted(op: str):
    def compare(self, other):
        _Key.count += 1
        return getattr(float, op)(self, other)

    return compare


class _Key(float):
    """A float that counts the comparisons made with it (and with keys derived by ``**``)."""

    count = 0

    def __pow__(self, other):
        return _Key(float(self) ** other)

    __lt__, __le__, __gt__, __ge__ = map(_counted, ("__lt__", "__le__", "__gt__", "__ge__"))
    __eq__, __ne__ = map(_counted, ("__eq__", "__ne__"))
    __hash__ = float.__hash__


class _CountingRandom(random.Random):
    """A seeded ``random.Random`` whose draws are :class:`_Key` s and whose calls are counted."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.randranges = 0

    def random(self):
        return _Key(super().random())

    def randrange(self, *args, **kwargs):
        self.randranges += 1
        return super().randrange(*args, **kwargs)


@pytest.mark.clause("time")
def test_time_is_linear_and_the_weighted_version_uses_a_heap(impl: ModuleType) -> None:
    n, k = 3000, 64
    rng = _CountingRandom(8)
    got = impl.reservoir_sample(iter(range(n)), k, rng)
    assert len(got) == k, (
        f"reservoir_sample of {n} items with k={k} should return {k} items, got {len(got)}"
    )
    assert rng.randranges <= n, (
        f"reservoir_sample drew {rng.randranges} random numbers for {n} items: Algorithm R "
        "makes one rng.randrange(i + 1) per item after the first k (O(n) time)"
    )
    _Key.count = 0
    got = impl.weighted_reservoir_sample(
        ((i, 1.0 + i % 5) for i in range(n)), k, _CountingRandom(9)
    )
    assert len(got) == k, (
        f"weighted_reservoir_sample of {n} items with k={k} should return {k} items, got {len(got)}"
    )
    bound = 4 * n * (k.bit_length() + 1)
    assert _Key.count <= bound, (
        f"weighted_reservoir_sample compared keys {_Key.count} times for n={n}, k={k}; a "
        f"size-k min-heap needs O(n log k), about {bound // 4} (compare each key with the "
        "heap's smallest, heapq.heapreplace only when it is larger; never sort the reservoir "
        "for every item)"
    )
