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
from collections import Counter
from pathlib import Path
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
WIDTH, DEPTH = 100, 4


def _reference(items: list, k: int) -> list[tuple]:
    return sorted(Counter(items).items(), key=lambda kv: (-kv[1], kv[0]))[:k]


@pytest.fixture(scope="module")
def zipf_stream() -> list[str]:
    rng = np.random.default_rng(0)
    return [f"med{v}" for v in rng.zipf(1.3, 20_000) if v < 3000]


# -- exact ---------------------------------------------------------------------------------------
def test_ties_are_ordered_by_item(impl: ModuleType) -> None:
    got = impl.top_k_frequent(iter(["b", "a", "b", "c", "a", "d"]), 2)
    assert [tuple(p) for p in got] == [("a", 2), ("b", 2)], (
        f"'a' and 'b' both occur twice: equal counts are ordered by increasing item, so "
        f"[('a', 2), ('b', 2)] (Counter.most_common keeps first-seen order); got {got}"
    )
    got = impl.top_k_frequent([3, 1, 2, 3, 2, 1, 5], 4)
    assert [tuple(p) for p in got] == [(1, 2), (2, 2), (3, 2), (5, 1)], f"ints: got {got}"


@DRILL
@given(items=st.lists(st.integers(0, 8), max_size=60), k=st.integers(0, 10))
def test_matches_the_reference(impl: ModuleType, items: list, k: int) -> None:
    got = [tuple(p) for p in impl.top_k_frequent(iter(items), k)]
    want = _reference(items, k)
    assert got == want, f"top_k_frequent({items}, {k}) should be {want}, got {got}"


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


def test_bad_sketch_sizes_raise(impl: ModuleType) -> None:
    for width, depth in ((0, 3), (10, 0)):
        with pytest.raises(ValueError):
            impl.CountMinSketch(width, depth)
            pytest.fail(f"CountMinSketch({width}, {depth}) should raise ValueError", pytrace=False)


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


def test_heavy_hitters_rejects_bad_k(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.HeavyHitters(0, WIDTH, DEPTH)
        pytest.fail("HeavyHitters(k=0, ...) should raise ValueError", pytrace=False)
