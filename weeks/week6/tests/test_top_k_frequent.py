"""Tests of week6.top_k_frequent: exact top-k and its tie rule, Count-Min sketch guarantees on a
Zipf stream, stable hashing across processes, and the heavy-hitters tracker.

Run: ``pytest weeks/week6/tests/test_top_k_frequent.py``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
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
WIDTH, DEPTH = 100, 4


def _reference(items: list, k: int) -> list[tuple]:
    return sorted(Counter(items).items(), key=lambda kv: (-kv[1], kv[0]))[:k]


@pytest.fixture(scope="module")
def zipf_stream() -> list[str]:
    rng = np.random.default_rng(0)
    return [f"med{v}" for v in rng.zipf(1.3, 20_000) if v < 3000]


@pytest.mark.clause("order")
# -- exact ---------------------------------------------------------------------------------------
def test_ties_are_ordered_by_item(impl: ModuleType) -> None:
    got = impl.top_k_frequent(iter(["b", "a", "b", "c", "a", "d"]), 2)
    assert [tuple(p) for p in got] == [("a", 2), ("b", 2)], (
        f"'a' and 'b' both occur twice: equal counts are ordered by increasing item, so "
        f"[('a', 2), ('b', 2)] (Counter.most_common keeps first-seen order); got {got}"
    )
    got = impl.top_k_frequent([3, 1, 2, 3, 2, 1, 5], 4)
    assert [tuple(p) for p in got] == [(1, 2), (2, 2), (3, 2), (5, 1)], f"ints: got {got}"


@pytest.mark.clause("order", "fewer-than-k", "k-range")
@DRILL
@given(items=st.lists(st.integers(0, 8), max_size=60), k=st.integers(0, 10))
def test_matches_the_reference(impl: ModuleType, items: list, k: int) -> None:
    got = [tuple(p) for p in impl.top_k_frequent(iter(items), k)]
    want = _reference(items, k)
    assert got == want, f"top_k_frequent({items}, {k}) should be {want}, got {got}"


@pytest.mark.clause("k-range")
def test_negative_k_raises(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.top_k_frequent(["a"], -1)
        pytest.fail("top_k_frequent(items, -1) should raise ValueError", pytrace=False)


# -- Count-Min sketch ----------------------------------------------------------------------------
def _sketch(impl: ModuleType, stream: list[str], seed: int = 0):
    sketch = impl.CountMinSketch(WIDTH, DEPTH, seed)
    for item in stream:
        sketch.add(item)
    return sketch


@pytest.mark.clause("never-undercount", "error-bound", "total", "estimate", "independent-rows")
def test_sketch_never_undercounts_and_respects_the_bound(impl: ModuleType, zipf_stream) -> None:
    true = Counter(zipf_stream)
    sketch = _sketch(impl, zipf_stream)
    n = len(zipf_stream)
    assert sketch.total == n, f"total should be {n}, got {sketch.total}"
    over = np.array([sketch.estimate(item) - c for item, c in true.items()])
    under = int((over < 0).sum())
    assert under == 0, (
        f"{under} items were undercounted (min overcount {over.min()}): each row only ever adds "
        "to an item's counter, so the minimum over rows can never be below the true count"
    )
    bound, delta = math.e / WIDTH * n, math.exp(-DEPTH)
    frac = float((over > bound).mean())
    assert frac <= delta, (
        f"width={WIDTH}, depth={DEPTH}: {frac:.1%} of the {len(true)} items are overcounted by "
        f"more than e / width * total = {bound:.0f}; the guarantee allows at most exp(-depth) = "
        f"{delta:.1%}. Use independent hashes per row and the MINIMUM over rows"
    )


@pytest.mark.clause("estimate", "total", "sketch-args")
def test_add_with_a_count(impl: ModuleType) -> None:
    sketch = impl.CountMinSketch(WIDTH, DEPTH, 3)
    sketch.add("aspirin", 5)
    sketch.add("aspirin")
    sketch.add("ibuprofen", 0)
    assert sketch.estimate("aspirin") >= 6, "add('aspirin', 5) then add('aspirin'): estimate >= 6"
    assert sketch.estimate("aspirin") == 6, "alone in an empty sketch, the estimate is exact (6)"
    assert sketch.total == 6, f"total should be 6, got {sketch.total}"
    with pytest.raises(ValueError):
        sketch.add("aspirin", -1)
        pytest.fail("add with a negative count should raise ValueError", pytrace=False)


@pytest.mark.clause("seeded")
def test_same_seed_same_sketch_different_seed_different_hashes(
    impl: ModuleType, zipf_stream
) -> None:
    stream = zipf_stream[:3000]
    items = sorted(set(stream))
    narrow = []
    for seed in (1, 1, 2):
        sketch = impl.CountMinSketch(16, 2, seed)
        for item in stream:
            sketch.add(item)
        narrow.append([sketch.estimate(i) for i in items])
    assert narrow[0] == narrow[1], "two sketches with the same seed must give the same estimates"
    assert narrow[0] != narrow[2], (
        "seeds 1 and 2 gave identical estimates: derive the hashes from the seed"
    )


@pytest.mark.clause("stable-hashes")
def test_hashes_are_stable_across_processes(impl: ModuleType, rx_root: Path, zipf_stream) -> None:
    stream = zipf_stream[:2000]
    items = sorted(set(stream))[:200]
    here = _sketch(impl, stream, seed=5)
    local = [here.estimate(i) for i in items]
    code = (
        "import importlib.util, json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "spec = importlib.util.spec_from_file_location('other', sys.argv[2])\n"
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        "data = json.load(sys.stdin)\n"
        f"s = mod.CountMinSketch({WIDTH}, {DEPTH}, 5)\n"
        "for x in data['stream']: s.add(x)\n"
        "print(json.dumps([s.estimate(i) for i in data['items']]))\n"
    )
    other_seed = "54321" if os.environ.get("PYTHONHASHSEED") == "12345" else "12345"
    env = {**os.environ, "PYTHONHASHSEED": other_seed}  # a different str hash() salt
    proc = subprocess.run(
        [sys.executable, "-c", code, str(rx_root), str(Path(impl.__file__).resolve())],
        input=json.dumps({"stream": stream, "items": items}),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, (
        f"building the sketch in a subprocess failed:\n{proc.stderr[-1500:]}"
    )
    remote = json.loads(proc.stdout.strip().splitlines()[-1])
    differ = sum(a != b for a, b in zip(local, remote, strict=True))
    assert differ == 0, (
        f"the same stream and seed gave different estimates in another process for {differ} of "
        f"{len(items)} items: Python's hash() of a str is salted per process. Hash "
        "str(item).encode() with hashlib (e.g. blake2b) instead"
    )


@pytest.mark.clause("sketch-args")
def test_bad_sketch_sizes_raise(impl: ModuleType) -> None:
    for width, depth in ((0, 3), (10, 0)):
        with pytest.raises(ValueError):
            impl.CountMinSketch(width, depth)
            pytest.fail(f"CountMinSketch({width}, {depth}) should raise ValueError", pytrace=False)


@pytest.mark.clause("candidates", "top")
# -- heavy hitters -------------------------------------------------------------------------------
def test_heavy_hitters_find_the_top_items(impl: ModuleType, zipf_stream) -> None:
    tracker = impl.HeavyHitters(5, WIDTH, DEPTH, seed=0)
    for item in zipf_stream:
        tracker.add(item)
    top = [tuple(p) for p in tracker.top()]
    want = _reference(zipf_stream, 5)
    assert [item for item, _ in top] == [item for item, _ in want], (
        f"the 5 heaviest items of the Zipf stream are {want}; your tracker reports {top}. Keep "
        "an item when its estimate beats the smallest candidate estimate, and evict that one"
    )
    true = Counter(zipf_stream)
    bound = math.e / WIDTH * len(zipf_stream)
    for item, estimate in top:
        assert true[item] <= estimate <= true[item] + bound, (
            f"{item}: estimate {estimate} should be between its count {true[item]} and "
            f"{true[item] + bound:.0f}"
        )


@pytest.mark.clause("hh-k")
def test_heavy_hitters_rejects_bad_k(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.HeavyHitters(0, WIDTH, DEPTH)
        pytest.fail("HeavyHitters(k=0, ...) should raise ValueError", pytrace=False)


# -- judged against the reference --------------------------------------------------------------
def _started(impl: ModuleType) -> None:
    """Valid calls first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.top_k_frequent([], 0)
    impl.CountMinSketch(1, 1).add("a")
    impl.HeavyHitters(1, 1, 1).add("a")


def _pairs(got, want) -> str | None:
    if not isinstance(got, list):
        return f"expected a list of (item, count) pairs, got {diff.describe(got)}"
    try:
        got = [tuple(p) for p in got]
    except TypeError:
        return f"expected (item, count) pairs, got {diff.describe(got)}"
    if any(type(c) is not int for *_, c in got):
        return f"counts must be Python ints, got {got}"
    return None if got == want else f"expected {want}, got {got}"


_ITEMS = st.one_of(
    st.lists(st.sampled_from(["aspirin", "ibuprofen", "zolpidem", "b", "a", "Z", ""]), max_size=30),
    st.lists(st.integers(-3, 5), max_size=30),
)


@pytest.mark.clause("order", "fewer-than-k", "k-range")
@given(items=_ITEMS, k=st.integers(-2, 9))
@example(items=["b", "a", "b", "c", "a", "d"], k=2)
@example(items=[], k=-1)
@example(items=[], k=0)
@example(items=["Z", "a", "Z", "a"], k=1)
def test_top_k_agrees_with_the_reference(impl, reference, items, k) -> None:
    _started(impl)
    diff.assert_same(
        lambda: impl.top_k_frequent(iter(items), k),
        lambda: reference.top_k_frequent(iter(items), k),
        compare=_pairs,
    )


class _Med:
    """A distinct-but-equal item that counts the comparisons and hashes made with it."""

    ops = 0
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __hash__(self) -> int:
        _Med.ops += 1
        return hash(self.name)

    def __eq__(self, other) -> bool:
        _Med.ops += 1
        return isinstance(other, _Med) and self.name == other.name

    def __lt__(self, other) -> bool:
        _Med.ops += 1
        return self.name < other.name

    def __repr__(self) -> str:
        return self.name


@pytest.mark.clause("complexity")
def test_counting_is_linear(impl: ModuleType) -> None:
    n, d = 6000, 300
    names = [f"med{i % d:04d}" for i in range(n)]
    _Med.ops = 0
    got = impl.top_k_frequent((_Med(x) for x in names), 5)
    pairs = [(str(m), c) for m, c in got]
    assert pairs == [(f"med{i:04d}", 20) for i in range(5)], (
        f"{d} names seen 20 times each all tie: the top 5 should be med0000..med0004 with count "
        f"20 (equal counts by increasing item), got {pairs}"
    )
    bound = 4 * n + 4 * d * math.ceil(math.log2(d))
    assert _Med.ops <= bound, (
        f"{n} items ({d} distinct) cost {_Med.ops} hashes and comparisons; counting with a dict "
        f"and selecting with a heap (or one sort) takes about {bound // 4}. Do not rescan the "
        "stream for every distinct item (list.count): that is O(n * d)"
    )


def _sketch_program(module: ModuleType, width, depth, seed, ops) -> dict:
    out: dict = {}
    made = diff.call(module.CountMinSketch, width, depth, seed)
    if made.raised:
        return {"init": type(made.error).__name__}
    sketch, true = made.value, Counter()
    for step, (item, count) in enumerate(ops):
        done = diff.call(sketch.add, item, count)
        out[f"add #{step} raised"] = type(done.error).__name__ if done.raised else None
        if not done.raised:
            true[item] += count
    out["total"] = sketch.total
    out["estimates"] = {item: sketch.estimate(item) for item in ["aspirin", "b", 7, "never"]}
    out["true"] = dict(true)
    return out


def _sketch_invariants(got: dict, want: dict) -> str | None:
    for key in want:
        if key in ("estimates", "true"):
            continue
        if got.get(key) != want[key] or type(got.get(key)) is not type(want[key]):
            return f"{key}: expected {want[key]!r}, got {got.get(key)!r}"
    if "estimates" not in want:
        return None
    total = want["total"]
    for item, estimate in got["estimates"].items():
        true = want["true"].get(item, 0)
        if type(estimate) is not int or not true <= estimate <= total:
            return (
                f"estimate({item!r}) = {estimate!r}: it must be an int between the true count "
                f"{true} (never undercount) and the total {total}"
            )
    return None


@pytest.mark.clause("total", "estimate", "never-undercount", "sketch-args")
@given(
    width=st.sampled_from([1, 2, 7, 64, 0, -1]),
    depth=st.sampled_from([1, 3, 0, -2]),
    seed=st.integers(0, 5),
    ops=st.lists(
        st.tuples(st.sampled_from(["aspirin", "b", 7, "x"]), st.sampled_from([1, 1, 0, 3, -1])),
        max_size=12,
    ),
)
@example(width=1, depth=1, seed=0, ops=[("aspirin", 2), ("b", 1)])
@example(width=64, depth=3, seed=0, ops=[("aspirin", -1), ("aspirin", 5)])
@example(width=0, depth=3, seed=0, ops=[])
@example(width=3, depth=0, seed=0, ops=[])
def test_sketch_agrees_with_the_reference(impl, reference, width, depth, seed, ops) -> None:
    _started(impl)
    diff.assert_same(
        lambda: _sketch_program(impl, width, depth, seed, ops),
        lambda: _sketch_program(reference, width, depth, seed, ops),
        compare=_sketch_invariants,
    )


# With 4096 counters per row and 4 rows, eight items share all four counters with probability
# about 1e-13: every estimate is exact, and the spec then fixes the candidates step by step.
def _tracker_program(module: ModuleType, k: int, ops: list) -> list:
    made = diff.call(module.HeavyHitters, k, 4096, 4, 3)
    if made.raised:
        return [type(made.error).__name__]
    tracker, tops = made.value, []
    for item, count in ops:
        tracker.add(item, count)
        tops.append([tuple(p) for p in tracker.top()])
    return tops


@pytest.mark.clause("candidates", "top", "hh-k")
@given(
    k=st.integers(-1, 4),
    ops=st.lists(
        st.tuples(st.sampled_from(["d", "a", "c", "b", "e", "f", "g", "h"]), st.integers(0, 3)),
        max_size=20,
    ),
)
@example(k=2, ops=[("b", 1), ("c", 1), ("a", 2)])
@example(k=2, ops=[("b", 1), ("c", 1), ("a", 1)])
@example(k=1, ops=[("b", 2), ("a", 1), ("a", 1), ("a", 1)])
@example(k=0, ops=[])
def test_tracker_agrees_with_the_reference(impl, reference, k, ops) -> None:
    _started(impl)
    diff.assert_same(
        lambda: _tracker_program(impl, k, ops),
        lambda: _tracker_program(reference, k, ops),
    )


@pytest.mark.clause("memory")
def test_tracker_memory_does_not_grow_with_distinct_items(impl: ModuleType) -> None:
    tracker = impl.HeavyHitters(3, 64, 2, seed=0)
    for i in range(100):
        tracker.add(f"warm{i}")
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for i in range(5000):
            tracker.add(f"pill-{i:05d}")
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(tracker.top()) <= 3, f"k=3: top() returned {len(tracker.top())} candidates"
    assert after - before < 50_000, (
        f"5000 distinct items left {(after - before) / 1024:.0f} KiB more memory held by your "
        "tracker; keep the sketch and at most k candidates (O(width * depth + k)), never a "
        "count or a set of every item seen"
    )
