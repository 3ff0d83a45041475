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
from scipy.stats import chi2_contingency, chisquare

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
def test_short_stream_returns_everything(impl: ModuleType) -> None:
    got = impl.reservoir_sample(iter(["a", "b", "c"]), 5, random.Random(0))
    assert got == ["a", "b", "c"], f"a stream of 3 items with k=5 returns all 3 in order, got {got}"
    assert impl.reservoir_sample(iter(range(4)), 0, random.Random(0)) == [], "k=0 gives []"


def test_reads_the_stream_once(impl: ModuleType) -> None:
    stream = OnePass(list(range(1000)))
    got = impl.reservoir_sample(stream, 7, random.Random(1))
    assert len(got) == 7 and len(set(got)) == 7, f"expected 7 distinct items, got {got}"
    assert stream.read == 1000, f"the whole stream must be read once, read {stream.read} of 1000"


def test_memory_is_bounded_by_k(impl: ModuleType) -> None:
    alive: weakref.WeakSet = weakref.WeakSet()
    peak = [0]
    got = impl.reservoir_sample(_watched_stream(2000, alive, peak), 5, random.Random(2))
    assert len(got) == 5
    assert peak[0] <= 5 + 2, (
        f"with k=5 you held {peak[0]} stream items at once; keep only the reservoir (O(k) "
        "memory), never list(stream)"
    )


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


def test_same_seed_same_sample(impl: ModuleType) -> None:
    a = impl.reservoir_sample(iter(range(500)), 10, random.Random(42))
    b = impl.reservoir_sample(iter(range(500)), 10, random.Random(42))
    assert a == b, "the same seeded rng must give the same sample (use only `rng`)"


# -- A-Res -------------------------------------------------------------------------------------
def _a_res(pairs: list, k: int, rng: random.Random) -> list:
    keys = [(rng.random() ** (1.0 / w), i, item) for i, (item, w) in enumerate(pairs)]
    return [item for _, _, item in heapq.nlargest(k, keys)]


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


def test_weighted_reads_once_and_handles_short_streams(impl: ModuleType) -> None:
    stream = OnePass([(i, 1.0 + i % 3) for i in range(300)])
    got = impl.weighted_reservoir_sample(stream, 4, random.Random(7))
    assert len(got) == 4 and stream.read == 300, "read all 300 pairs once and return 4 items"
    got = impl.weighted_reservoir_sample(iter([("x", 1.0), ("y", 2.0)]), 5, random.Random(7))
    assert sorted(got) == ["x", "y"], f"a 2-item stream with k=5 returns both items, got {got}"


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
