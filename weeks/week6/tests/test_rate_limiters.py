"""Tests of week6.rate_limiters: token bucket, leaky bucket, fixed window, sliding window log.

Every limiter is driven by scripted request times (the clock is the ``now`` argument), replayed
against a small reference model on seeded random traces, checked for idle-key cleanup, and
hammered from 16 threads with a frozen clock. Run one limiter's tests with
``pytest weeks/week6/tests/test_rate_limiters.py -k token``.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff


# -- helpers --------------------------------------------------------------------------------------
def replay(limiter: Any, script: list[tuple[str, float]]) -> list[tuple[bool, float, float]]:
    """``(allowed, retry_after, delay)`` of each ``(key, now)`` request of ``script``."""
    out = []
    for key, now in script:
        decision = limiter.allow(key, now)
        out.append((bool(decision.allowed), float(decision.retry_after), float(decision.delay)))
    return out


def check_script(
    name: str, limiter: Any, script: list[tuple[str, float]], want: list[tuple]
) -> None:
    """Replay ``script`` and compare with ``want`` (``(allowed, retry_after[, delay])`` each)."""
    got = replay(limiter, script)
    for i, ((key, now), (allowed, retry_after, delay), expected) in enumerate(
        zip(script, got, want, strict=True)
    ):
        exp_allowed, exp_retry, *rest = expected
        exp_delay = rest[0] if rest else 0.0
        where = f"{name}: request {i} (key {key!r} at t={now})"
        history = ", ".join(
            f"t={t}:{'ok' if a else 'no'}" for (_, t), (a, _, _) in zip(script, got, strict=False)
        )
        assert allowed == exp_allowed, (
            f"{where} should be {'allowed' if exp_allowed else 'rejected'}, yours "
            f"{'allowed' if allowed else 'rejected'} it. Your decisions: {history}"
        )
        assert retry_after == pytest.approx(exp_retry, abs=1e-9), (
            f"{where}: retry_after should be {exp_retry}, got {retry_after}"
        )
        assert delay == pytest.approx(exp_delay, abs=1e-9), (
            f"{where}: delay should be {exp_delay}, got {delay}"
        )


class YieldingTime(float):
    """A timestamp whose arithmetic and comparisons pause briefly, letting other threads run.

    A limiter that reads its state, computes with ``now`` and writes the state back without a
    lock is then interrupted in the middle of that read-modify-write, as it would be on a busy
    server; with a lock, the pause happens while the lock is held and nothing goes wrong.
    """

    PAUSE = 2e-5

    def _pause(self) -> None:
        time.sleep(self.PAUSE)


def _yielding(name: str) -> Callable[..., Any]:
    base = getattr(float, name)

    def method(self: YieldingTime, *args: Any) -> Any:
        self._pause()
        result = base(self, *args)
        return YieldingTime(result) if isinstance(result, float) else result

    method.__name__ = name
    return method


YIELDING_METHODS = (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__floordiv__", "__rfloordiv__", "__lt__", "__le__", "__gt__", "__ge__",
    "__eq__", "__ne__",
)  # fmt: skip
for _name in YIELDING_METHODS:
    setattr(YieldingTime, _name, _yielding(_name))
YieldingTime.__hash__ = float.__hash__  # type: ignore[method-assign]


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Let the interpreter switch threads as often as it can during the test."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


# -- reference models (obviously correct, slow) ---------------------------------------------------
def model_sliding(limit: int, window: float, script: list[tuple[str, float]]) -> list[tuple]:
    allowed_at: dict[str, list[float]] = {}
    out: list[tuple] = []
    for key, now in script:
        live = [t for t in allowed_at.get(key, []) if t > now - window]
        if len(live) < limit:
            allowed_at.setdefault(key, []).append(now)
            out.append((True, 0.0))
        else:
            out.append((False, min(live) + window - now))
    return out


def model_fixed(limit: int, window: float, script: list[tuple[str, float]]) -> list[tuple]:
    counts: dict[tuple[str, int], int] = {}
    out: list[tuple] = []
    for key, now in script:
        index = math.floor(now / window)
        if counts.get((key, index), 0) < limit:
            counts[key, index] = counts.get((key, index), 0) + 1
            out.append((True, 0.0))
        else:
            out.append((False, (index + 1) * window - now))
    return out


def model_token(capacity: int, rate: float, script: list[tuple[str, float]]) -> list[tuple]:
    state: dict[str, tuple[float, float]] = {}
    out: list[tuple] = []
    for key, now in script:
        tokens, last = state.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        if tokens >= 1:
            state[key] = (tokens - 1, now)
            out.append((True, 0.0))
        else:
            state[key] = (tokens, now)
            out.append((False, (1 - tokens) / rate))
    return out


def model_leaky(capacity: int, rate: float, script: list[tuple[str, float]]) -> list[tuple]:
    state: dict[str, tuple[float, float]] = {}
    out: list[tuple] = []
    for key, now in script:
        level, last = state.get(key, (0.0, now))
        level = max(0.0, level - (now - last) * rate)
        if level + 1 <= capacity:
            state[key] = (level + 1, now)
            out.append((True, 0.0, level / rate))
        else:
            state[key] = (level, now)
            out.append((False, (level + 1 - capacity) / rate))
    return out


def random_script(seed: int, n: int = 300) -> list[tuple[str, float]]:
    """Request times on a 0.25 s grid (exact in binary floats, so boundaries are hit exactly)."""
    rng = np.random.default_rng(seed)
    times = np.sort(rng.integers(0, 160, n)) * 0.25
    keys = rng.choice(["alice", "bob", "carol"], n, p=[0.6, 0.3, 0.1])
    return [(str(k), float(t)) for k, t in zip(keys, times, strict=True)]


# -- token bucket ---------------------------------------------------------------------------------
@pytest.mark.clause("token-start-full", "token-retry", "keys-independent")
def test_token_bucket_burst_refill_and_retry_after(impl: ModuleType) -> None:
    script = [("a", 0.0)] * 4 + [("a", 0.5), ("a", 1.0), ("a", 1.0), ("b", 1.0)]
    want = [(True, 0.0)] * 3 + [(False, 1.0), (False, 0.5), (True, 0.0), (False, 1.0), (True, 0.0)]
    check_script("TokenBucket(capacity=3, rate=1.0)", impl.TokenBucket(3, 1.0), script, want)


@pytest.mark.clause("token-refill")
def test_token_bucket_never_holds_more_than_capacity(impl: ModuleType) -> None:
    bucket = impl.TokenBucket(3, 2.0)
    bucket.allow("a", 0.0)
    granted = sum(bucket.allow("a", 1000.0).allowed for _ in range(10))
    assert granted == 3, (
        f"after a long idle time the bucket holds capacity=3 tokens, so a burst gets exactly 3 "
        f"grants; yours granted {granted}: cap the refill with min(capacity, ...)"
    )


@pytest.mark.clause("token-refill", "token-retry", "rejected-free")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_token_bucket_matches_reference_on_random_traces(impl: ModuleType, seed: int) -> None:
    script = random_script(seed)
    check_script(
        f"TokenBucket(3, 2.0), random trace {seed}",
        impl.TokenBucket(3, 2.0),
        script,
        model_token(3, 2.0, script),
    )


# -- leaky bucket ---------------------------------------------------------------------------------
@pytest.mark.clause("leaky-drain", "leaky-delay", "leaky-retry")
def test_leaky_bucket_queues_with_delays_and_rejects_when_full(impl: ModuleType) -> None:
    script = [("a", 0.0)] * 4 + [("a", 0.5), ("a", 0.5), ("a", 10.0)]
    want = [
        (True, 0.0, 0.0),
        (True, 0.0, 0.5),
        (True, 0.0, 1.0),
        (False, 0.5),
        (True, 0.0, 1.0),
        (False, 0.5),
        (True, 0.0, 0.0),
    ]
    check_script("LeakyBucket(capacity=3, rate=2.0)", impl.LeakyBucket(3, 2.0), script, want)


@pytest.mark.clause("leaky-drain", "leaky-delay", "leaky-retry")
@pytest.mark.parametrize("seed", [3, 4])
def test_leaky_bucket_matches_reference_on_random_traces(impl: ModuleType, seed: int) -> None:
    script = random_script(seed)
    check_script(
        f"LeakyBucket(4, 2.0), random trace {seed}",
        impl.LeakyBucket(4, 2.0),
        script,
        model_leaky(4, 2.0, script),
    )


# -- fixed window ---------------------------------------------------------------------------------
@pytest.mark.clause("fixed-aligned", "fixed-retry", "keys-independent")
def test_fixed_window_counts_per_aligned_window(impl: ModuleType) -> None:
    script = [("a", 0.0)] * 3 + [("a", 9.5), ("a", 10.0), ("a", 10.0), ("a", 19.0), ("b", 19.0)]
    want = [
        (True, 0.0),
        (True, 0.0),
        (False, 10.0),
        (False, 0.5),
        (True, 0.0),
        (True, 0.0),
        (False, 1.0),
        (True, 0.0),
    ]
    check_script("FixedWindow(limit=2, window=10.0)", impl.FixedWindow(2, 10.0), script, want)


@pytest.mark.clause("fixed-aligned")
def test_fixed_window_allows_the_double_burst_at_a_boundary(impl: ModuleType) -> None:
    limiter = impl.FixedWindow(3, 60.0)
    times = [59.9] * 3 + [60.0] * 3
    got = [limiter.allow("a", t).allowed for t in times]
    assert got == [True] * 6, (
        "FixedWindow(limit=3, window=60): 3 requests at t=59.9 and 3 at t=60.0 fall in two "
        f"windows ([0, 60) and [60, 120)) and must all be allowed (the known double burst); "
        f"got {got}: a request at exactly t=60.0 belongs to the new window"
    )


@pytest.mark.clause("fixed-aligned", "fixed-retry")
@pytest.mark.parametrize("seed", [5, 6])
def test_fixed_window_matches_reference_on_random_traces(impl: ModuleType, seed: int) -> None:
    script = random_script(seed)
    check_script(
        f"FixedWindow(3, 2.5), random trace {seed}",
        impl.FixedWindow(3, 2.5),
        script,
        model_fixed(3, 2.5, script),
    )


# -- sliding window log ---------------------------------------------------------------------------
@pytest.mark.clause("sliding-expiry", "sliding-retry")
def test_sliding_log_expires_entries_exactly_one_window_old(impl: ModuleType) -> None:
    script = [("a", 0.0), ("a", 5.0), ("a", 9.0), ("a", 10.0), ("a", 10.0), ("a", 15.0)]
    want = [(True, 0.0), (True, 0.0), (False, 1.0), (True, 0.0), (False, 5.0), (True, 0.0)]
    check_script(
        "SlidingWindowLog(limit=2, window=10.0)", impl.SlidingWindowLog(2, 10.0), script, want
    )


@pytest.mark.clause("sliding-rejected", "rejected-free")
def test_sliding_log_does_not_log_rejected_requests(impl: ModuleType) -> None:
    script = [("a", 0.0), ("a", 0.5), ("a", 0.9), ("a", 1.0)]
    want = [(True, 0.0), (False, 0.5), (False, 0.1), (True, 0.0)]
    check_script(
        "SlidingWindowLog(limit=1, window=1.0) (a client retrying too early must not lock "
        "itself out: log only allowed requests)",
        impl.SlidingWindowLog(1, 1.0),
        script,
        want,
    )


@pytest.mark.clause("sliding-expiry")
def test_sliding_log_has_no_double_burst(impl: ModuleType) -> None:
    limiter = impl.SlidingWindowLog(3, 60.0)
    got = [limiter.allow("a", t).allowed for t in [59.9] * 3 + [60.0] * 3]
    assert got == [True] * 3 + [False] * 3, (
        "SlidingWindowLog(limit=3, window=60): after 3 requests at t=59.9, requests at t=60.0 "
        f"are within 60 s of them and must be rejected; got {got}"
    )


@pytest.mark.clause("sliding-expiry", "sliding-retry")
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_sliding_log_matches_reference_on_random_traces(impl: ModuleType, seed: int) -> None:
    script = random_script(seed)
    check_script(
        f"SlidingWindowLog(3, 2.5), random trace {seed}",
        impl.SlidingWindowLog(3, 2.5),
        script,
        model_sliding(3, 2.5, script),
    )


# -- all limiters: idle keys and threads ----------------------------------------------------------
LIMITERS = {
    # name -> (constructor arguments with a limit of 10, time at which a key is idle again)
    "TokenBucket": ((10, 5.0), 2.0),
    "LeakyBucket": ((10, 5.0), 2.0),
    "FixedWindow": ((10, 1.0), 1.0),
    "SlidingWindowLog": ((10, 1.0), 1.0),
}


@pytest.mark.clause("purge", "len")
@pytest.mark.parametrize("name", LIMITERS)
def test_purge_drops_idle_keys_only(impl: ModuleType, name: str) -> None:
    args, idle_at = LIMITERS[name]
    limiter = getattr(impl, name)(*args)
    for i in range(100):
        limiter.allow(f"client-{i}", 0.0)
    assert len(limiter) == 100, f"{name}: 100 keys made a request; len() should be 100"
    dropped = limiter.purge(0.0)
    assert dropped == 0 and len(limiter) == 100, (
        f"{name}.purge(0.0) right after the requests must drop nothing (every key still has "
        f"live state); it dropped {dropped} and len() is now {len(limiter)}"
    )
    limiter.allow("client-0", idle_at)  # client-0 is busy again at idle_at
    dropped = limiter.purge(idle_at)
    assert dropped == 99 and len(limiter) == 1, (
        f"{name}.purge({idle_at}) should drop the 99 idle keys (state equal to a new key's) and "
        f"keep client-0, which just made a request; it dropped {dropped}, len() is {len(limiter)}"
    )
    granted = sum(limiter.allow("client-5", idle_at).allowed for _ in range(12))
    assert granted == 10, (
        f"{name}: a purged key must behave like a new one (10 grants out of 12), got {granted}"
    )


@pytest.mark.clause("thread-safe")
@pytest.mark.parametrize("name", LIMITERS)
def test_concurrent_requests_never_exceed_the_limit(
    impl: ModuleType, name: str, busy_switching: None
) -> None:
    args, _ = LIMITERS[name]
    limiter = getattr(impl, name)(*args)
    threads, calls = 16, 4
    barrier = threading.Barrier(threads)
    granted: list[bool] = []
    errors: list[BaseException] = []
    now = YieldingTime(100.0)

    def hammer() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(calls):
                granted.append(bool(limiter.allow("shared", now).allowed))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
    assert not errors, f"{name}.allow raised in a thread: {errors[0]!r}"
    assert len(granted) == threads * calls, f"{name}: some threads did not finish"
    assert sum(granted) == 10, (
        f"{name}: {threads} threads made {threads * calls} requests at the same frozen time; "
        f"exactly 10 (the limit) may be allowed, yours allowed {sum(granted)}. Guard the "
        "read-compute-write of the per-key state with a threading.Lock"
    )


# -- all limiters, judged against the reference ---------------------------------------------------
KINDS = ["TokenBucket", "LeakyBucket", "FixedWindow", "SlidingWindowLog"]
SCRIPTS = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from([0.0, 0.0, 0.25, 0.5, 1.0, 3.0])),
    min_size=1,
    max_size=25,
).map(lambda steps: [(key, float(t)) for key, t in zip(
    [k for k, _ in steps], np.cumsum([dt for _, dt in steps]), strict=True
)])  # fmt: skip
PARAMS = st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from([0.5, 1.0, 2.5, 4.0]))


def make(module: ModuleType, kind: str, params: tuple) -> Any:
    """A limiter; an unwritten one raises NotImplementedError from this one line, whichever."""
    try:
        return getattr(module, kind)(*params)
    except NotImplementedError as exc:
        unwritten = str(exc)
    raise NotImplementedError(unwritten)


def decisions(module: ModuleType, kind: str, params: tuple, script: list, idle: float) -> Any:
    """Every decision of ``script``, then ``purge`` a while after it and ``len``."""
    limiter = make(module, kind, params)
    out = [tuple(map(float, (d.allowed, d.retry_after, d.delay))) for d in (
        limiter.allow(key, now) for key, now in script
    )]  # fmt: skip
    dropped = limiter.purge(script[-1][1] + idle)
    return out, dropped, len(limiter)


@pytest.mark.clause(
    "keys-independent", "rejected-free", "token-refill", "token-retry", "leaky-drain",
    "leaky-delay", "leaky-retry", "fixed-aligned", "fixed-retry", "sliding-expiry",
    "sliding-rejected", "sliding-retry", "purge", "len",
)  # fmt: skip
@given(
    kind=st.sampled_from(KINDS),
    params=PARAMS,
    script=SCRIPTS,
    idle=st.sampled_from([0.0, 0.25, 1.0, 2.5, 100.0]),
)
@example(
    kind="FixedWindow", params=(2, 2.5), script=[("a", 2.25), ("a", 2.25), ("a", 2.5)], idle=0.0
)
@example(
    kind="SlidingWindowLog", params=(1, 1.0), script=[("a", 0.0), ("a", 0.5), ("a", 1.0)], idle=1.0
)
@example(kind="LeakyBucket", params=(3, 0.5), script=[("a", 0.0)] * 5, idle=6.0)
@example(kind="TokenBucket", params=(2, 4.0), script=[("a", 0.0)] * 3 + [("b", 0.0)], idle=0.25)
def test_limiters_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, kind: str, params: tuple, script: list, idle: float
) -> None:
    # times are multiples of 0.25 and rates/windows are short binary fractions: the decisions
    # are exact, and retry_after/delay are a few operations from exact (1e-9 s is plenty)
    diff.assert_same(
        lambda: decisions(impl, kind, params, script, idle),
        lambda: decisions(reference, kind, params, script, idle),
        rtol=1e-9,
        atol=1e-9,
    )


@pytest.mark.clause("retry-after")
@given(kind=st.sampled_from(KINDS), params=PARAMS, script=SCRIPTS)
def test_retry_after_is_exactly_when_the_request_would_pass(
    impl: ModuleType, kind: str, params: tuple, script: list
) -> None:
    limiter = make(impl, kind, params)
    for i, (key, now) in enumerate(script):
        decision = limiter.allow(key, now)
        if decision.allowed:
            assert decision.retry_after == 0.0, f"{kind}: an allowed request has retry_after 0.0"
            continue
        assert decision.retry_after > 0, f"{kind}: a rejected request has retry_after > 0"
        for at, want in ((now + decision.retry_after * (1 + 1e-9) + 1e-9, True),
                         (now + decision.retry_after * (1 - 1e-6) - 1e-6, False)):  # fmt: skip
            again = make(impl, kind, params)
            for k, t in script[:i]:
                again.allow(k, t)
            got = again.allow(key, at).allowed
            assert got == want, (
                f"{kind}{params}: request {i} ({key!r} at t={now}) was rejected with retry_after="
                f"{decision.retry_after}; the same request at t={at} (just "
                f"{'after' if want else 'before'} that) should be "
                f"{'allowed' if want else 'rejected'}, yours {'allowed' if got else 'rejected'} it"
            )


@pytest.mark.clause("time-backwards")
@given(
    kind=st.sampled_from(KINDS),
    params=PARAMS,
    script=SCRIPTS,
    back=st.sampled_from([0.1, 0.2, 0.75, 5.0]),
)
@example(kind="TokenBucket", params=(1, 1.0), script=[("a", 0.0), ("a", 10.0)], back=5.0)
@example(kind="LeakyBucket", params=(2, 1.0), script=[("a", 0.0), ("a", 10.0)], back=5.0)
def test_time_going_backwards_counts_as_no_time(
    impl: ModuleType, reference: ModuleType, kind: str, params: tuple, script: list, back: float
) -> None:
    key, latest = script[-1]
    # One request stamped earlier than the last, then one a little later than the last: the
    # earlier stamp counts as no time at all, and the interval after it is not counted twice.
    late = [*script, (key, latest - back), (key, latest + 0.5)]

    def last_decisions(module: ModuleType) -> list[tuple]:
        limiter = make(module, kind, params)
        for k, t in late[:-2]:
            limiter.allow(k, t)
        return [
            (bool(d.allowed), float(d.retry_after), float(d.delay))
            for d in (limiter.allow(*late[-2]), limiter.allow(*late[-1]))
        ]

    diff.assert_same(
        lambda: last_decisions(impl), lambda: last_decisions(reference), rtol=1e-9, atol=1e-9
    )


@pytest.mark.clause("injected-clock")
@pytest.mark.parametrize("kind", KINDS)
def test_limiters_never_read_the_wall_clock(
    impl: ModuleType, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*args: Any) -> float:
        raise AssertionError("a limiter must use the `now` it is given, never the wall clock")

    limiter = getattr(impl, kind)(2, 1.0)
    for name in ("time", "monotonic", "perf_counter", "time_ns", "monotonic_ns"):
        monkeypatch.setattr(time, name, forbidden)
    got = [limiter.allow("a", t).allowed for t in (1000.0, 1000.0, 1000.0, 1005.0)]
    limiter.purge(2000.0)
    monkeypatch.undo()
    assert got == [True, True, False, True], (
        f"{kind}(2, 1.0) at t=1000, 1000, 1000, 1005 (the injected clock): want "
        f"[True, True, False, True], got {got}"
    )


class CountingTime(float):
    """A timestamp that counts every arithmetic operation and comparison made with it."""

    ops = 0


def _counting(name: str) -> Callable[..., Any]:
    base = getattr(float, name)

    def method(self: CountingTime, *args: Any) -> Any:
        CountingTime.ops += 1
        result = base(self, *args)
        return CountingTime(result) if isinstance(result, float) else result

    method.__name__ = name
    return method


for _name in YIELDING_METHODS:
    setattr(CountingTime, _name, _counting(_name))
CountingTime.__hash__ = float.__hash__  # type: ignore[method-assign]


@pytest.mark.clause("allow-o1", "purge-linear")
@pytest.mark.parametrize("kind", KINDS)
def test_allow_is_constant_time_and_purge_linear(impl: ModuleType, kind: str) -> None:
    n = 400
    limiter = getattr(impl, kind)(n, 1e6 if "Window" in kind else 1e-3)
    for i in range(n):  # one key with a log of n live entries
        limiter.allow("busy", CountingTime(i * 1e-3))
    CountingTime.ops = 0
    for i in range(50):
        limiter.allow("busy", CountingTime(1.0 + i * 1e-3))
    per_call = CountingTime.ops / 50
    assert per_call <= 30, (
        f"{kind}: allow made {per_call:.0f} operations with the timestamps per call while the "
        f"key holds {n} entries: allow must be O(1) amortised (pop expired entries from the left "
        f"of a deque; never scan the whole log)"
    )
    for i in range(n):
        limiter.allow(f"client-{i}", CountingTime(2.0))
    CountingTime.ops = 0
    dropped = limiter.purge(CountingTime(1e7))  # every key is idle by then
    assert CountingTime.ops <= 30 * (n + 1) + 2 * n, (
        f"{kind}: purge over {n + 1} keys made {CountingTime.ops} operations: it must be "
        f"O(number of keys) (one pass over the keys)"
    )
    assert dropped == n + 1, f"{kind}: every key is idle at t=1e7, purge dropped {dropped}"
