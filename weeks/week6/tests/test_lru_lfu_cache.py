"""Tests of week6.lru_lfu_cache: LRU and LFU caches in O(1), and their hit ratios.

The judge replays long random operation sequences against two tiny reference models written
below (an ``OrderedDict`` LRU and a brute-force LFU) and compares every answer. O(1) is checked
by counting, never by timing: how many times your code hashes or compares the keys, and how many
lines of Python it runs, per operation on a cache of 1000 entries.
Run: ``pytest weeks/week6/tests/test_lru_lfu_cache.py``.
"""

from __future__ import annotations

import random
import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from types import FrameType, ModuleType
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

KINDS = ("LRUCache", "LFUCache")
# With 1000 entries, an O(1) operation hashes/compares its key a handful of times and runs a
# few dozen lines of Python; a scan over the entries needs at least 1000 of either.
MAX_KEY_CALLS_PER_OP = 40
MAX_LINES_PER_OP = 300
BIG = 1000


# -- reference models --------------------------------------------------------------------------
class RefLRU:
    """Obviously correct LRU: an OrderedDict, least recently used first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.data: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        if key not in self.data:
            self.misses += 1
            return default
        self.hits += 1
        self.data.move_to_end(key)
        return self.data[key]

    def put(self, key: Hashable, value: Any) -> None:
        if self.capacity == 0:
            return
        if key not in self.data and len(self.data) >= self.capacity:
            self.data.popitem(last=False)
        self.data[key] = value
        self.data.move_to_end(key)

    def keys(self) -> list[Hashable]:
        return list(self.data)


class RefLFU:
    """Obviously correct (and O(n)) LFU: evict min (frequency, time of last use)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.data: dict[Hashable, list[Any]] = {}  # key -> [value, freq, last_use]
        self.clock = 0
        self.hits = self.misses = 0

    def _use(self, key: Hashable) -> None:
        self.clock += 1
        self.data[key][1] += 1
        self.data[key][2] = self.clock

    def get(self, key: Hashable, default: Any = None) -> Any:
        if key not in self.data:
            self.misses += 1
            return default
        self.hits += 1
        self._use(key)
        return self.data[key][0]

    def put(self, key: Hashable, value: Any) -> None:
        if self.capacity == 0:
            return
        if key in self.data:
            self.data[key][0] = value
            self._use(key)
            return
        if len(self.data) >= self.capacity:
            del self.data[self.keys()[0]]
        self.clock += 1
        self.data[key] = [value, 1, self.clock]

    def keys(self) -> list[Hashable]:
        return sorted(self.data, key=lambda k: (self.data[k][1], self.data[k][2]))


REFERENCE = {"LRUCache": RefLRU, "LFUCache": RefLFU}
RULE = {
    "LRUCache": "LRU evicts the least recently used key (get hits and put updates are uses)",
    "LFUCache": "LFU evicts the lowest frequency, and among equal frequencies the least recently "
    "used (get hits and put updates add 1 to the frequency; a new key starts at 1)",
}


class CountingKey:
    """A key that counts every call to ``__hash__`` and ``__eq__`` (in ``CountingKey.calls``)."""

    calls = 0
    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value

    def __hash__(self) -> int:
        CountingKey.calls += 1
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        CountingKey.calls += 1
        return isinstance(other, CountingKey) and other.value == self.value

    def __repr__(self) -> str:
        return f"K({self.value})"


def _fmt(op: tuple) -> str:
    return f"get({op[1]!r})" if op[0] == "get" else f"put({op[1]!r}, {op[2]!r})"


def _random_ops(rng: random.Random, n: int, n_keys: int) -> list[tuple]:
    ops: list[tuple] = []
    for i in range(n):
        key = rng.randrange(n_keys)
        ops.append(("get", key) if rng.random() < 0.55 else ("put", key, f"v{i}"))
    return ops


def replay(impl: ModuleType, kind: str, capacity: int, ops: list[tuple]) -> None:
    """Apply ``ops`` to the learner's cache and to the reference; compare after every step."""
    cache = getattr(impl, kind)(capacity)
    ref = REFERENCE[kind](capacity)
    done: list[str] = []
    for step, op in enumerate(ops):
        done.append(_fmt(op))
        where = (
            f"{kind}({capacity}) after {len(done)} operations (last ones: "
            f"{', '.join(done[-8:])}); rule: {RULE[kind]}"
        )
        if op[0] == "get":
            got, want = cache.get(op[1]), ref.get(op[1])
            assert got == want, f"{where}: get returned {got!r}, expected {want!r}"
        else:
            cache.put(op[1], op[2])
            ref.put(op[1], op[2])
        got_keys, want_keys = cache.keys(), ref.keys()
        assert got_keys == want_keys, (
            f"{where}: keys() in eviction order should be {want_keys}, got {got_keys}"
        )
        assert len(cache) == len(want_keys), f"{where}: len() is {len(cache)}"
        if step % 97 == 0:
            assert (cache.hits, cache.misses) == (ref.hits, ref.misses), (
                f"{where}: (hits, misses) should be {(ref.hits, ref.misses)}, "
                f"got {(cache.hits, cache.misses)}"
            )


@contextmanager
def count_lines(exclude: str) -> Iterator[list[int]]:
    """Count the 'line' events of Python code outside ``exclude`` (this file)."""
    counter = [0]

    def tracer(frame: FrameType, event: str, arg: Any) -> Callable | None:
        if frame.f_code.co_filename == exclude:
            return None
        if event == "line":
            counter[0] += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield counter
    finally:
        sys.settrace(previous)


# -- the LeetCode sequences --------------------------------------------------------------------
@pytest.mark.clause("lru-policy", "get", "get-use", "counters")
def test_lru_leetcode_146_sequence(impl: ModuleType) -> None:
    cache = impl.LRUCache(2)
    cache.put(1, 1)
    cache.put(2, 2)
    assert cache.get(1) == 1, "get(1) right after put(1, 1) should return 1"
    cache.put(3, 3)
    assert cache.get(2) is None, "put(3) on a full LRUCache(2) should evict 2 (1 was just used)"
    cache.put(4, 4)
    assert cache.get(1) is None, "put(4) should evict 1: it was used before 3"
    assert (cache.get(3), cache.get(4)) == (3, 4), "3 and 4 should both still be cached"
    assert cache.get("x", -1) == -1, "get(missing, default) should return default"
    assert (cache.hits, cache.misses) == (3, 3), (
        f"3 gets hit and 3 missed: expected hits=3, misses=3, got {cache.hits}, {cache.misses}"
    )


@pytest.mark.clause("lfu-policy", "keys", "lfu-new-key")
def test_lfu_leetcode_460_sequence(impl: ModuleType) -> None:
    cache = impl.LFUCache(2)
    cache.put(1, 1)
    cache.put(2, 2)
    assert cache.get(1) == 1, "get(1) right after put(1, 1) should return 1"
    cache.put(3, 3)
    assert cache.get(2) is None, "put(3) should evict 2: it has frequency 1, key 1 has 2"
    assert cache.get(3) == 3, "3 was just inserted and should be cached"
    cache.put(4, 4)
    assert cache.get(1) is None, (
        "put(4) should evict 1: keys 1 and 3 both have frequency 2 and 1 was used longer ago"
    )
    assert (cache.get(3), cache.get(4)) == (3, 4), "3 and 4 should both still be cached"
    assert cache.keys() == [4, 3], f"keys() should be [4, 3] (freq 2, freq 3), got {cache.keys()}"


@pytest.mark.clause("put-update")
@pytest.mark.parametrize("kind", KINDS)
def test_updating_a_key_counts_as_a_use(impl: ModuleType, kind: str) -> None:
    cache = getattr(impl, kind)(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)  # update: a is now the most recent (LRU) / more frequent (LFU)
    cache.put("c", 3)
    assert "b" not in cache and "a" in cache, (
        f"{kind}(2): put a, put b, put a again (an update is a use), put c should evict b; "
        f"keys are now {cache.keys()}"
    )
    assert cache.get("a") == 10, "put on an existing key should replace its value"
    assert len(cache) == 2, f"len should stay 2 after an update, got {len(cache)}"


@pytest.mark.clause("contains", "put-not-counted")
@pytest.mark.parametrize("kind", KINDS)
def test_membership_is_not_a_use_and_put_is_not_counted(impl: ModuleType, kind: str) -> None:
    cache = getattr(impl, kind)(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert "a" in cache, "'a' in cache should be True after put('a', ...)"
    cache.put("c", 3)
    assert "a" not in cache, (
        f"{kind}: `in` must not count as a use, so put('c') should evict 'a'; keys: {cache.keys()}"
    )
    assert (cache.hits, cache.misses) == (0, 0), (
        f"only get counts hits/misses; after puts and `in` expected (0, 0), got "
        f"({cache.hits}, {cache.misses})"
    )


@pytest.mark.clause("capacity-zero", "put-evict")
@pytest.mark.parametrize("kind", KINDS)
def test_capacity_zero_and_one(impl: ModuleType, kind: str) -> None:
    empty = getattr(impl, kind)(0)
    empty.put("a", 1)
    assert len(empty) == 0 and empty.get("a") is None, f"{kind}(0) must never store anything"
    assert empty.misses == 1 and empty.keys() == [], "the get on a capacity-0 cache is a miss"
    one = getattr(impl, kind)(1)
    one.put("a", 1)
    value = one.get("a")
    assert value == 1, f"{kind}(1): get('a') right after put('a', 1) should return 1, got {value!r}"
    one.put("b", 2)
    assert one.keys() == ["b"] and one.get("a") is None, (
        f"{kind}(1): a new key always replaces the only entry, even a frequently used one; "
        f"keys: {one.keys()}"
    )
    assert one.capacity == 1, f"{kind}(1).capacity should be 1, got {one.capacity!r}"


@pytest.mark.clause("capacity")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", [-1, 2.0, True, "3"])
def test_invalid_capacity_raises_value_error(impl: ModuleType, kind: str, bad: object) -> None:
    getattr(impl, kind)(3)
    with pytest.raises(ValueError):
        getattr(impl, kind)(bad)


@pytest.mark.clause("get", "equal-keys")
@pytest.mark.parametrize("kind", KINDS)
def test_values_may_be_none_and_keys_any_hashable(impl: ModuleType, kind: str) -> None:
    cache = getattr(impl, kind)(3)
    cache.put(("img", 1), None)
    cache.put(frozenset({1}), 0)
    sentinel = object()
    assert cache.get(("img", 1), sentinel) is None, "a stored None is a hit that returns None"
    value = cache.get(frozenset({1}), sentinel)
    assert value == 0, (
        f"a stored 0 under a frozenset key is a hit that returns 0, not the default; got {value!r}"
    )
    assert cache.hits == 2, f"both gets are hits, got hits={cache.hits}"


# -- replay against the reference models -------------------------------------------------------
@pytest.mark.clause(
    "lru-policy", "lfu-policy", "get-use", "put-update", "put-evict", "keys", "counters"
)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("capacity", [0, 1, 2, 3, 5, 8])
def test_random_operations_match_the_reference(impl: ModuleType, kind: str, capacity: int) -> None:
    rng = random.Random(1000 * capacity + len(kind))
    replay(impl, kind, capacity, _random_ops(rng, 2000, n_keys=2 * capacity + 3))


# -- complexity, by counting -------------------------------------------------------------------
def _big_ops(seed: int, n: int) -> list[tuple]:
    rng = random.Random(seed)
    fill = [("put", i, i) for i in range(BIG)]
    return fill + _random_ops(rng, n, n_keys=3 * BIG)


@pytest.mark.clause("o1", "equal-keys")
@pytest.mark.parametrize("kind", KINDS)
def test_key_hashing_per_operation_is_bounded(impl: ModuleType, kind: str) -> None:
    cache = getattr(impl, kind)(BIG)
    worst = 0
    for step, op in enumerate(_big_ops(7, 20_000)):
        key = CountingKey(op[1])  # a fresh but equal object: lookups must use __eq__
        CountingKey.calls = 0
        if op[0] == "get":
            cache.get(key)
        else:
            cache.put(key, op[2])
        worst = max(worst, CountingKey.calls)
        assert CountingKey.calls <= MAX_KEY_CALLS_PER_OP, (
            f"{kind}({BIG}), operation #{step} {_fmt(op)} with {len(cache)} entries called "
            f"__hash__/__eq__ of the keys {CountingKey.calls} times; an O(1) operation needs a "
            f"handful (at most {MAX_KEY_CALLS_PER_OP}). Are you scanning the entries, e.g. "
            "min(...) over all keys to find the victim? Keep the eviction order in the structure."
        )
    assert worst > 0, "the cache never hashed its keys: is it storing anything?"


@pytest.mark.clause("o1")
@pytest.mark.parametrize("kind", KINDS)
def test_python_work_per_operation_is_bounded(impl: ModuleType, kind: str) -> None:
    cache = getattr(impl, kind)(BIG)
    ops = _big_ops(11, 5_000)
    for op in ops[:BIG]:
        cache.put(op[1], op[2])
    for step, op in enumerate(ops[BIG:], start=BIG):
        with count_lines(exclude=__file__) as lines:
            if op[0] == "get":
                cache.get(op[1])
            else:
                cache.put(op[1], op[2])
        assert lines[0] <= MAX_LINES_PER_OP, (
            f"{kind}({BIG}), operation #{step} {_fmt(op)} with {len(cache)} entries ran "
            f"{lines[0]} lines of Python; O(1) get/put run a few dozen whatever the size "
            f"(limit {MAX_LINES_PER_OP}). A loop over the entries makes eviction O(n)."
        )
    assert len(cache) == BIG, f"a full cache stays full: expected {BIG} entries, got {len(cache)}"


# -- simulate: recency-heavy vs frequency-heavy traces ----------------------------------------
def frequency_trace(seed: int = 0, n: int = 6000) -> list[Hashable]:
    """20 hot keys (half of all accesses) mixed with one-off keys that are never seen again."""
    rng = random.Random(seed)
    return [f"hot{rng.randrange(20)}" if rng.random() < 0.5 else f"cold{i}" for i in range(n)]


def recency_trace(seed: int = 0, phases: int = 8, length: int = 600) -> list[Hashable]:
    """A working set of 20 keys that moves to 20 new keys every ``length`` accesses."""
    rng = random.Random(seed)
    return [f"p{p}k{rng.randrange(20)}" for p in range(phases) for _ in range(length)]


def _reference_ratio(kind: str, capacity: int, trace: list[Hashable]) -> float:
    ref = REFERENCE[kind](capacity)
    hits = 0
    for key in trace:
        if key in ref.data:
            hits += 1
            ref.get(key)
        else:
            ref.get(key)
            ref.put(key, key)
    return hits / len(trace)


@pytest.mark.clause("simulate", "hit-ratio")
def test_simulate_returns_the_hit_ratio(impl: ModuleType) -> None:
    cache = impl.LRUCache(2)
    got = impl.simulate(["a", "b", "a", "c", "b", "a", "a"], cache)
    # a miss, b miss, a hit, c miss (evicts b), b miss (evicts a), a miss (evicts c), a hit
    assert got == pytest.approx(2 / 7), f"expected 2 hits out of 7 accesses = 0.2857, got {got}"
    assert impl.simulate([], impl.LFUCache(3)) == 0.0, "an empty trace has hit ratio 0.0"
    trace = frequency_trace(3, 500)
    for kind in KINDS:
        got = impl.simulate(trace, getattr(impl, kind)(10))
        want = _reference_ratio(kind, 10, trace)
        assert got == pytest.approx(want), f"simulate with {kind}(10): expected {want}, got {got}"


@pytest.mark.clause("simulate")
def test_lfu_wins_on_the_frequency_trace_and_lru_on_the_recency_trace(impl: ModuleType) -> None:
    capacity = 25
    freq = frequency_trace()
    lru_f = impl.simulate(freq, impl.LRUCache(capacity))
    lfu_f = impl.simulate(freq, impl.LFUCache(capacity))
    assert lfu_f > lru_f + 0.1, (
        f"on a trace of 20 hot keys mixed with one-off keys, LFU should keep the hot keys and "
        f"clearly beat LRU; got LFU {lfu_f:.3f} vs LRU {lru_f:.3f}"
    )
    rec = recency_trace()
    lru_r = impl.simulate(rec, impl.LRUCache(capacity))
    lfu_r = impl.simulate(rec, impl.LFUCache(capacity))
    assert lru_r > lfu_r + 0.1, (
        f"on a trace whose working set moves, LRU should adapt and beat LFU (whose old keys "
        f"keep high frequencies); got LRU {lru_r:.3f} vs LFU {lfu_r:.3f}"
    )


# -- differential: judged against the reference module on drawn scripts -----------------------
#: Keys: equal objects of different types (1, 1.0, True), None, tuples, frozensets, strings.
KEY_POOL = [0, 1, 1.0, True, 2, "a", "b", None, (1,), frozenset(), -0.0, 3]


def canon(key: Hashable) -> object:
    """Equal keys compare equal here whichever of the equal objects the cache kept."""
    if isinstance(key, (bool, int, float)):
        return ("number", float(key))
    return key


def outcome_of(fn: Callable[..., Any], *args: Any) -> Any:
    outcome = diff.call(fn, *args)
    if isinstance(outcome.error, NotImplementedError):
        raise outcome.error
    return type(outcome.error).__name__ if outcome.raised else outcome.value


cache_ops = st.lists(
    st.one_of(
        st.tuples(st.just("get"), st.sampled_from(KEY_POOL), st.sampled_from([None, "D"])),
        st.tuples(st.just("put"), st.sampled_from(KEY_POOL), st.sampled_from([None, 0, "v"])),
        st.tuples(st.just("in"), st.sampled_from(KEY_POOL)),
        st.tuples(st.just("keys")),
        st.tuples(st.just("len")),
        st.tuples(st.just("set"), st.sampled_from(["hits", "misses", "capacity"])),
    ),
    max_size=25,
)


def script(
    module: ModuleType, kind: str, capacity: object, ops: list[tuple]
) -> Callable[[], object]:
    def run() -> object:
        cache = getattr(module, kind)(capacity)
        trace: list[Any] = [cache.capacity]
        for op, *args in ops:
            if op == "get":
                trace.append(outcome_of(cache.get, args[0], args[1]))
            elif op == "put":
                trace.append(outcome_of(cache.put, args[0], args[1]))
            elif op == "in":
                trace.append(outcome_of(lambda k: k in cache, args[0]))
            elif op == "keys":
                trace.append([canon(k) for k in cache.keys()])  # noqa: SIM118 - keys() is the API
            elif op == "len":
                trace.append(len(cache))
            else:
                trace.append(outcome_of(setattr, cache, args[0], 99))
            trace.append((cache.hits, cache.misses, cache.capacity))
        return trace

    return run


@pytest.mark.clause(
    "lru-policy", "lfu-policy", "capacity", "get", "get-use", "counters", "put-update",
    "put-evict", "lfu-new-key", "capacity-zero", "put-not-counted", "keys", "contains",
    "read-only", "equal-keys",
)  # fmt: skip
@settings(report_multiple_bugs=False)  # a stub's NotImplementedError: one "not started"
@given(
    kind=st.sampled_from(KINDS),
    capacity=st.one_of(
        st.integers(0, 4), st.sampled_from([-1, 2.0, True, False, "2", None, 10**30])
    ),
    ops=cache_ops,
)
@example(kind="LRUCache", capacity=2, ops=[("put", 1, "v"), ("put", True, 0), ("keys",),
         ("get", 1.0, None), ("len",)])  # fmt: skip
@example(kind="LFUCache", capacity=2, ops=[("put", "a", 0), ("get", "a", None), ("put", "b", 0),
         ("get", "b", None), ("put", "a", None), ("put", None, 0), ("keys",)])  # fmt: skip
@example(kind="LFUCache", capacity=1, ops=[("put", "a", 0), ("in", "a"), ("set", "hits"),
         ("set", "capacity"), ("get", "z", "D")])  # fmt: skip
def test_caches_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, kind: str, capacity: object, ops: list[tuple]
) -> None:
    diff.assert_same(script(impl, kind, capacity, ops), script(reference, kind, capacity, ops))


def replay_trace(
    module: ModuleType, kind: str, capacity: int, warm: list[tuple], trace: list, as_generator: bool
) -> Callable[[], object]:
    def run() -> object:
        cache = getattr(module, kind)(capacity)
        for op, key, value in warm:  # a warm cache: stored values (None too) and counted gets
            if op == "put":
                cache.put(key, value)
            else:
                cache.get(key)
        source = (key for key in trace) if as_generator else list(trace)
        ratio = module.simulate(source, cache)
        return ratio, [canon(k) for k in cache.keys()], (cache.hits, cache.misses)  # noqa: SIM118

    return run


@pytest.mark.clause("simulate", "hit-ratio", "sentinel")
@settings(report_multiple_bugs=False)
@given(
    kind=st.sampled_from(KINDS),
    capacity=st.integers(0, 4),
    warm=st.lists(
        st.tuples(
            st.sampled_from(["put", "get"]),
            st.sampled_from(KEY_POOL),
            st.sampled_from([None, 0, "v"]),
        ),
        max_size=6,
    ),  # fmt: skip
    trace=st.lists(st.sampled_from(KEY_POOL), max_size=20),
    as_generator=st.booleans(),
)
@example(kind="LRUCache", capacity=2, warm=[("put", "a", None)], trace=["a", "a"],
         as_generator=False)  # fmt: skip
@example(kind="LFUCache", capacity=2, warm=[("put", "a", 0), ("get", "a", 0)], trace=["b", "b"],
         as_generator=True)  # fmt: skip
@example(kind="LRUCache", capacity=3, warm=[], trace=[], as_generator=True)
def test_simulate_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    kind: str,
    capacity: int,
    warm: list[tuple],
    trace: list,
    as_generator: bool,
) -> None:
    diff.assert_same(
        replay_trace(impl, kind, capacity, warm, trace, as_generator),
        replay_trace(reference, kind, capacity, warm, trace, as_generator),
        rtol=1e-12,  # hits / accesses: any correct division agrees to the last bit or two
    )
