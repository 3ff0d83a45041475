"""Tests of week6.circuit_breaker: retry with full jitter, and a three-state circuit breaker.

Nothing sleeps for real: ``retry`` gets a recording ``sleep`` and a scripted ``rng``, the breaker
gets a fake clock. Run one part with ``pytest weeks/week6/tests/test_circuit_breaker.py -k retry``.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff


# -- helpers --------------------------------------------------------------------------------------
class ScriptedRng:
    """An ``rng`` whose ``uniform(a, b)`` returns ``a + fraction * (b - a)`` and records (a, b)."""

    def __init__(self, fraction: float = 1.0) -> None:
        self.fraction = fraction
        self.calls: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.calls.append((a, b))
        return a + self.fraction * (b - a)


class Flaky:
    """A callable failing ``failures`` times with ``exc_type`` (a new exception each time)."""

    def __init__(self, failures: int, exc_type: type[Exception] = ConnectionError) -> None:
        self.failures = failures
        self.exc_type = exc_type
        self.calls = 0
        self.raised: list[Exception] = []

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            exc = self.exc_type(f"failure {self.calls}")
            self.raised.append(exc)
            raise exc
        return "ok"


class FakeClock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Boom(Exception):
    pass


def boom() -> None:
    raise Boom("dependency down")


def fail(breaker: Any, times: int) -> None:
    """Make ``times`` failing calls through ``breaker`` (each must re-raise Boom)."""
    for _ in range(times):
        with pytest.raises(Boom, match="dependency down"):
            breaker.call(boom)


def run_in_thread(fn: Callable[[], Any], timeout: float = 5.0) -> list[Any]:
    """Run ``fn`` in a daemon thread; return ``[result]``, ``[exception]`` or ``[]`` if hung."""
    out: list[Any] = []

    def target() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            out.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    return out


# -- retry ----------------------------------------------------------------------------------------
@pytest.mark.clause("retry-calls", "retry-on", "full-jitter")
def test_retry_returns_the_first_success(impl: ModuleType) -> None:
    fn, sleeps, rng = Flaky(2), [], ScriptedRng(1.0)
    got = impl.retry(fn, attempts=5, base=0.1, cap=10.0, sleep=sleeps.append, rng=rng)
    assert got == "ok", f"retry should return fn's result 'ok', got {got!r}"
    assert fn.calls == 3, f"fn fails twice then succeeds: 3 calls expected, got {fn.calls}"
    assert rng.calls == [(0, 0.1), (0, 0.2)], (
        f"the delays before retries 0 and 1 are drawn with rng.uniform(0, min(cap, base * 2**k)),"
        f" i.e. uniform(0, 0.1) then uniform(0, 0.2); your calls: {rng.calls}"
    )
    assert sleeps == pytest.approx([0.1, 0.2]), (
        f"sleep must receive the drawn delays (0.1 then 0.2 here), got {sleeps}"
    )


@pytest.mark.clause("full-jitter", "no-final-sleep", "reraise-last")
def test_retry_caps_the_bound_and_reraises_the_last_exception(impl: ModuleType) -> None:
    fn, sleeps, rng = Flaky(100), [], ScriptedRng(1.0)
    with pytest.raises(ConnectionError) as info:
        impl.retry(fn, attempts=8, base=1.0, cap=5.0, sleep=sleeps.append, rng=rng)
    assert fn.calls == 8, f"attempts=8 means 8 calls in total, got {fn.calls}"
    want = [1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]
    assert sleeps == pytest.approx(want), (
        f"base=1, cap=5: the bounds are {want} (doubling, capped at 5) and there is no sleep "
        f"after the last attempt; your sleeps: {sleeps}"
    )
    assert info.value is fn.raised[-1], (
        f"retry must re-raise the last exception itself; got {info.value!r}, the last was "
        f"{fn.raised[-1]!r}"
    )


@pytest.mark.clause("full-jitter")
def test_retry_uses_full_jitter_between_zero_and_the_bound(impl: ModuleType) -> None:
    fn, sleeps = Flaky(3), []
    impl.retry(fn, attempts=4, base=2.0, cap=60.0, sleep=sleeps.append, rng=ScriptedRng(0.25))
    assert sleeps == pytest.approx([0.5, 1.0, 2.0]), (
        "full jitter sleeps rng.uniform(0, bound) (here the rng returns a quarter of the bound:"
        f" 0.5, 1.0, 2.0), not the bound itself nor bound/2 + jitter; your sleeps: {sleeps}"
    )
    fn, sleeps = Flaky(6), []
    impl.retry(fn, attempts=7, base=1.0, cap=60.0, sleep=sleeps.append, rng=random.Random(7))
    bounds = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert len(sleeps) == 6 and all(0 <= s <= b for s, b in zip(sleeps, bounds, strict=True)), (
        f"with random.Random the delays must lie in [0, bound] for bounds {bounds}: {sleeps}"
    )


@pytest.mark.clause("not-retried")
def test_retry_does_not_retry_other_exceptions(impl: ModuleType) -> None:
    fn, sleeps = Flaky(5, ValueError), []
    with pytest.raises(ValueError):
        impl.retry(fn, attempts=5, retry_on=(ConnectionError, TimeoutError), sleep=sleeps.append)
    assert fn.calls == 1 and sleeps == [], (
        "a ValueError is not in retry_on=(ConnectionError, TimeoutError): it must propagate "
        f"after the first call without sleeping; fn was called {fn.calls} times, sleeps {sleeps}"
    )


@pytest.mark.clause("attempts-range", "no-final-sleep")
def test_retry_single_attempt_and_invalid_attempts(impl: ModuleType) -> None:
    fn, sleeps = Flaky(1), []
    with pytest.raises(ConnectionError):
        impl.retry(fn, attempts=1, sleep=sleeps.append)
    assert fn.calls == 1 and sleeps == [], f"attempts=1: one call, no sleep; sleeps {sleeps}"
    with pytest.raises(ValueError):
        impl.retry(Flaky(0), attempts=0, sleep=sleeps.append)


# -- circuit breaker: states ----------------------------------------------------------------------
@pytest.mark.clause("closed", "opens", "open-fails-fast", "state")
def test_opens_after_threshold_consecutive_failures(impl: ModuleType) -> None:
    clock = FakeClock()
    breaker = impl.CircuitBreaker(failure_threshold=3, reset_timeout=30.0, clock=clock)
    assert breaker.state == "closed", f"a new breaker is 'closed', got {breaker.state!r}"
    fail(breaker, 2)
    assert breaker.state == "closed", (
        f"2 failures with failure_threshold=3: still 'closed', got {breaker.state!r}"
    )
    fail(breaker, 1)
    assert breaker.state == "open", (
        f"the 3rd consecutive failure (failure_threshold=3) opens the circuit, state is "
        f"{breaker.state!r}"
    )
    calls = []
    clock.now = 12.0
    with pytest.raises(impl.CircuitOpenError) as info:
        breaker.call(calls.append, "should not run")
    assert calls == [], "while open, the breaker must fail fast without calling the function"
    assert info.value.retry_after == pytest.approx(18.0), (
        f"opened at t=0 with reset_timeout=30, a call at t=12 gets retry_after=18, got "
        f"{info.value.retry_after}"
    )


@pytest.mark.clause("closed")
def test_success_resets_the_failure_count(impl: ModuleType) -> None:
    breaker = impl.CircuitBreaker(failure_threshold=3, reset_timeout=30.0, clock=FakeClock())
    fail(breaker, 2)
    result = breaker.call(lambda: "fine")
    assert result == "fine", (
        f"call(fn) on a closed circuit should return fn's result 'fine', got {result!r}"
    )
    fail(breaker, 2)
    assert breaker.state == "closed", (
        "failure_threshold counts *consecutive* failures: fail, fail, success, fail, fail "
        f"must leave the circuit closed, got {breaker.state!r}"
    )
    fail(breaker, 1)
    assert breaker.state == "open", (
        "3 consecutive failures after the success reach failure_threshold=3: the circuit should "
        f"be 'open', got {breaker.state!r}"
    )


@pytest.mark.clause("state", "trial-outcome")
def test_half_open_trial_success_closes(impl: ModuleType) -> None:
    clock = FakeClock()
    breaker = impl.CircuitBreaker(failure_threshold=2, reset_timeout=10.0, clock=clock)
    fail(breaker, 2)
    clock.now = 9.999
    assert breaker.state == "open", f"at t=9.999 < 10 the circuit is 'open', got {breaker.state!r}"
    clock.now = 10.0
    assert breaker.state == "half_open", (
        f"once reset_timeout=10 has elapsed the state reads 'half_open', got {breaker.state!r}"
    )
    assert breaker.call(lambda x: x * 2, 21) == 42, "the trial call must run and return"
    assert breaker.state == "closed", (
        f"a successful trial closes the circuit, got {breaker.state!r}"
    )
    fail(breaker, 1)
    assert breaker.state == "closed", (
        "after closing, the count restarts: 1 failure (threshold 2) must not re-open it"
    )


@pytest.mark.clause("trial-outcome")
def test_failed_trial_reopens_from_the_time_of_failure(impl: ModuleType) -> None:
    clock = FakeClock()
    breaker = impl.CircuitBreaker(failure_threshold=2, reset_timeout=10.0, clock=clock)
    fail(breaker, 2)
    clock.now = 15.0
    fail(breaker, 1)  # the trial fails
    assert breaker.state == "open", f"a failed trial re-opens the circuit, got {breaker.state!r}"
    clock.now = 20.0
    calls = []
    with pytest.raises(impl.CircuitOpenError) as info:
        breaker.call(calls.append, 1)
    assert calls == [] and info.value.retry_after == pytest.approx(5.0), (
        "the trial failed at t=15: the circuit stays open until t=25, so a call at t=20 fails "
        f"fast with retry_after=5; got retry_after={info.value.retry_after}, calls={calls}"
    )
    clock.now = 25.0
    assert breaker.state == "half_open", (
        "at t=25, reset_timeout (10 s) after the failed trial at t=15, the circuit should be "
        f"'half_open', got {breaker.state!r}"
    )


@pytest.mark.clause("interrupted")
def test_base_exceptions_are_not_failures(impl: ModuleType) -> None:
    class Interrupt(BaseException):
        pass

    def interrupted() -> None:
        raise Interrupt

    breaker = impl.CircuitBreaker(failure_threshold=2, reset_timeout=10.0, clock=FakeClock())
    for _ in range(3):
        with pytest.raises(Interrupt):
            breaker.call(interrupted)
    assert breaker.state == "closed", (
        "a BaseException that is not an Exception (KeyboardInterrupt, CancelledError) is not "
        f"a failure of the dependency; after 3 of them the state should be 'closed', got "
        f"{breaker.state!r}"
    )


# -- circuit breaker: concurrency -----------------------------------------------------------------
@pytest.mark.clause("one-trial", "lock")
def test_half_open_lets_exactly_one_trial_through(impl: ModuleType) -> None:
    clock = FakeClock()
    breaker = impl.CircuitBreaker(failure_threshold=1, reset_timeout=5.0, clock=clock)
    fail(breaker, 1)
    clock.now = 5.0
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_trial() -> str:
        calls.append("trial")
        started.set()
        release.wait(5)
        return "recovered"

    trial: list[Any] = []
    worker = threading.Thread(target=lambda: trial.append(breaker.call(slow_trial)), daemon=True)
    worker.start()
    try:
        assert started.wait(5), "the first call after reset_timeout must run (the trial)"
        other = run_in_thread(lambda: breaker.call(calls.append, "second"))
        assert other and isinstance(other[0], impl.CircuitOpenError), (
            "while the half-open trial is still running, other calls must raise "
            f"CircuitOpenError without calling the function; got {other!r} (calls: {calls})"
        )
        assert other[0].retry_after == 0.0, (
            f"during the trial, retry_after is 0.0, got {other[0].retry_after}"
        )
    finally:
        release.set()
        worker.join(5)
    assert trial == ["recovered"] and breaker.state == "closed", (
        f"the trial returned {trial} and the breaker is {breaker.state!r}; want 'closed'"
    )
    assert calls == ["trial"], f"only the trial may run in half-open, calls were {calls}"


@pytest.mark.clause("lock")
def test_the_lock_is_not_held_while_the_function_runs(impl: ModuleType) -> None:
    breaker = impl.CircuitBreaker(failure_threshold=3, reset_timeout=10.0, clock=FakeClock())
    out = run_in_thread(lambda: breaker.call(lambda: breaker.state))
    assert out, (
        "a protected function that reads breaker.state deadlocked: release the lock before "
        "calling the function (a slow dependency would otherwise block every caller)"
    )
    assert out[0] == "closed", f"breaker.state read inside the call: {out[0]!r}"


# -- decorator and asyncio ------------------------------------------------------------------------
@pytest.mark.clause("three-ways")
def test_decorator_wraps_sync_functions(impl: ModuleType) -> None:
    breaker = impl.CircuitBreaker(failure_threshold=2, reset_timeout=10.0, clock=FakeClock())

    @breaker
    def lookup(name: str) -> str:
        """Find a medication."""
        if name == "missing":
            raise KeyError(name)
        return name.upper()

    assert lookup.__name__ == "lookup" and lookup.__doc__ == "Find a medication.", (
        "use functools.wraps so the decorated function keeps its name and docstring"
    )
    result = lookup("aspirin")
    assert result == "ASPIRIN", (
        f"the decorated function should return its result: lookup('aspirin') -> 'ASPIRIN', "
        f"got {result!r}"
    )
    for _ in range(2):
        with pytest.raises(KeyError):
            lookup("missing")
    with pytest.raises(impl.CircuitOpenError):
        lookup("aspirin")


@pytest.mark.clause("three-ways")
def test_decorator_and_call_async_on_coroutines(impl: ModuleType) -> None:
    clock = FakeClock()
    breaker = impl.CircuitBreaker(failure_threshold=2, reset_timeout=10.0, clock=clock)
    calls: list[str] = []

    @breaker
    async def fetch(name: str) -> str:
        calls.append(name)
        await asyncio.sleep(0)
        if name == "down":
            raise ConnectionError(name)
        return name.upper()

    assert inspect.iscoroutinefunction(fetch), (
        "decorating an async def function must give an async def function (check "
        "inspect.iscoroutinefunction(fn) and return an async wrapper that awaits)"
    )

    async def scenario() -> None:
        result = await fetch("ok")
        assert result == "OK", (
            f"the decorated coroutine function should return its awaited result: fetch('ok') -> "
            f"'OK', got {result!r}"
        )
        for _ in range(2):
            with pytest.raises(ConnectionError):
                await fetch("down")
        assert breaker.state == "open", (
            f"two failing awaited calls (threshold 2) must open the circuit: {breaker.state!r}"
        )
        with pytest.raises(impl.CircuitOpenError):
            await fetch("ok")
        clock.now = 10.0

        async def trial() -> str:
            return "back"

        result = await breaker.call_async(trial)
        assert result == "back", (
            f"after reset_timeout the trial through call_async should run and return 'back', "
            f"got {result!r}"
        )
        assert breaker.state == "closed", (
            f"a successful trial closes the circuit, got {breaker.state!r}"
        )

    asyncio.run(asyncio.wait_for(scenario(), 5))
    assert calls == ["ok", "down", "down"], f"functions called through the breaker: {calls}"


@pytest.mark.clause("trial-interrupted")
def test_cancelled_async_trial_frees_the_slot(impl: ModuleType) -> None:
    clock = FakeClock()
    breaker = impl.CircuitBreaker(failure_threshold=1, reset_timeout=5.0, clock=clock)
    fail(breaker, 1)
    clock.now = 5.0

    async def scenario() -> None:
        started = asyncio.Event()

        async def hang() -> None:
            started.set()
            await asyncio.sleep(3600)

        async def quick() -> str:
            return "ok"

        trial = asyncio.create_task(breaker.call_async(hang))
        await asyncio.wait_for(started.wait(), 2)
        with pytest.raises(impl.CircuitOpenError):
            await breaker.call_async(quick)
        trial.cancel()
        with pytest.raises(asyncio.CancelledError):
            await trial
        assert breaker.state == "half_open", (
            "a cancelled trial is neither a success nor a failure: the breaker stays "
            f"'half_open', got {breaker.state!r}"
        )
        try:
            got = await breaker.call_async(quick)
        except impl.CircuitOpenError:
            got = "CircuitOpenError"
        assert got == "ok" and breaker.state == "closed", (
            "after the trial was cancelled, the next call must become the trial (free the "
            f"trial slot in a finally/except BaseException); got {got!r}, {breaker.state!r}"
        )

    asyncio.run(asyncio.wait_for(scenario(), 5))


# -- judged against the reference -----------------------------------------------------------------
def retry_outcome(module: ModuleType, failures: int, exc: type, kw: dict) -> Any:
    """What retry did: its result or exception, the calls of fn, the sleeps and the draws."""
    fn, sleeps, rng = Flaky(failures, exc), [], ScriptedRng(kw.pop("fraction"))
    try:
        got: Any = ("returned", module.retry(fn, sleep=sleeps.append, rng=rng, **kw))
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001 - compared below
        got = ("raised", type(err).__name__, err is (fn.raised[-1] if fn.raised else None))
    return got, fn.calls, sleeps, rng.calls


@pytest.mark.clause(
    "retry-calls", "retry-on", "full-jitter", "no-final-sleep", "not-retried", "reraise-last",
    "attempts-range",
)  # fmt: skip
@given(
    failures=st.integers(0, 7),
    exc=st.sampled_from([ConnectionError, TimeoutError, ValueError]),
    attempts=st.sampled_from([-1, 0, 1, 2, 3, 6]),
    base=st.sampled_from([0.0, 0.125, 0.5, 3.0]),
    cap=st.sampled_from([0.0, 0.25, 1.0, 100.0]),
    retry_on=st.sampled_from([(Exception,), (ConnectionError, TimeoutError), (TimeoutError,)]),
    fraction=st.sampled_from([0.0, 0.5, 1.0]),
)
@example(failures=3, exc=ConnectionError, attempts=3, base=0.5, cap=1.0,
         retry_on=(ConnectionError,), fraction=1.0)  # fmt: skip
def test_retry_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, failures: int, exc: type, attempts: int,
    base: float, cap: float, retry_on: tuple, fraction: float,
) -> None:  # fmt: skip
    kw = {"attempts": attempts, "base": base, "cap": cap, "retry_on": retry_on,
          "fraction": fraction}  # fmt: skip
    # bounds are exact binary fractions: min(cap, base * 2**k) and a + f * (b - a) are exact
    diff.assert_same(
        lambda: retry_outcome(impl, failures, exc, dict(kw)),
        lambda: retry_outcome(reference, failures, exc, dict(kw)),
        rtol=1e-12,
    )


@pytest.mark.clause("rng-default")
def test_retry_without_rng_uses_a_fresh_generator(impl: ModuleType) -> None:
    runs = []
    for _ in range(2):
        random.seed(1234)  # a fresh random.Random() does not depend on the global seed
        sleeps: list[float] = []
        impl.retry(Flaky(4), attempts=5, base=1.0, cap=60.0, sleep=sleeps.append)
        runs.append(sleeps)
    bounds = [1.0, 2.0, 4.0, 8.0]
    for sleeps in runs:
        assert len(sleeps) == 4 and all(0 <= s <= b for s, b in zip(sleeps, bounds, strict=True)), (
            f"rng=None: delays must lie in [0, bound] for bounds {bounds}, got {sleeps}"
        )
    assert runs[0] != runs[1], (
        "rng=None must mean a fresh random.Random() (seeded from the OS), not the global "
        f"`random` module: after random.seed(1234) twice, both runs slept {runs[0]}"
    )


OPS = st.lists(
    st.one_of(
        st.sampled_from([("ok",), ("fail",), ("interrupt",), ("state",)]),
        st.tuples(st.just("tick"), st.sampled_from([0.5, 1.0, 2.5, 5.0, 10.0, -1.0, -7.5])),
    ),
    max_size=30,
)


class Interrupt(BaseException):
    """Neither a success nor a failure (like KeyboardInterrupt or CancelledError)."""


def breaker_log(module: ModuleType, threshold: int, timeout: float, ops: list) -> list:
    """Drive a breaker on a fake clock; log every state read and the outcome of every call."""
    clock = FakeClock(100.0)
    breaker = module.CircuitBreaker(failure_threshold=threshold, reset_timeout=timeout, clock=clock)
    log: list[Any] = []

    def interrupted() -> None:
        raise Interrupt

    for op in ops:
        if op[0] == "tick":
            clock.now += op[1]
            continue
        if op[0] == "state":
            log.append(breaker.state)
            continue
        fn = {"ok": lambda: "fine", "fail": boom, "interrupt": interrupted}[op[0]]
        try:
            log.append(("returned", breaker.call(fn)))
        except module.CircuitOpenError as err:
            log.append(("CircuitOpenError", err.retry_after))
        except (Exception, Interrupt) as err:  # noqa: BLE001 - compared
            log.append(("raised", type(err).__name__))
        log.append(breaker.state)
    return log


@pytest.mark.clause(
    "closed", "opens", "open-fails-fast", "trial-outcome", "state", "interrupted",
    "trial-interrupted", "clock-backwards", "params",
)  # fmt: skip
@given(
    threshold=st.sampled_from([-1, 0, 1, 2, 3]),
    timeout=st.sampled_from([-1.0, 0.0, 1.0, 5.0]),
    ops=OPS,
)
@example(threshold=2, timeout=5.0, ops=[("fail",), ("interrupt",), ("fail",), ("state",)])
@example(threshold=1, timeout=5.0,
         ops=[("fail",), ("tick", 5.0), ("interrupt",), ("state",), ("ok",)])  # fmt: skip
@example(threshold=1, timeout=5.0,
         ops=[("fail",), ("tick", 5.0), ("tick", -7.5), ("ok",), ("state",)])  # fmt: skip
@example(threshold=1, timeout=0.0, ops=[("fail",), ("state",), ("fail",), ("ok",)])
# the clock steps back further than reset_timeout: still open (elapsed time is negative)
@example(threshold=1, timeout=5.0, ops=[("fail",), ("tick", -7.5), ("ok",), ("state",)])
def test_breaker_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, threshold: int, timeout: float, ops: list
) -> None:
    # clock values are exact binary fractions: retry_after is exact up to one subtraction
    diff.assert_same(
        lambda: breaker_log(impl, threshold, timeout, ops),
        lambda: breaker_log(reference, threshold, timeout, ops),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.clause("interrupted", "trial-interrupted")
def test_an_interrupted_sync_trial_frees_the_slot_and_keeps_the_count(impl: ModuleType) -> None:
    clock = FakeClock()
    breaker = impl.CircuitBreaker(failure_threshold=2, reset_timeout=5.0, clock=clock)
    fail(breaker, 1)

    def interrupted() -> None:
        raise Interrupt

    with pytest.raises(Interrupt):
        breaker.call(interrupted)
    fail(breaker, 1)
    assert breaker.state == "open", (
        "fail, interrupt, fail with failure_threshold=2: the interruption leaves the count at 1, "
        f"so the second failure opens the circuit; state {breaker.state!r}"
    )
    clock.now = 5.0
    with pytest.raises(Interrupt):
        breaker.call(interrupted)  # the trial is interrupted
    assert breaker.state == "half_open", (
        f"an interrupted trial is neither a success nor a failure: 'half_open', got "
        f"{breaker.state!r}"
    )
    assert breaker.call(lambda: "next") == "next" and breaker.state == "closed", (
        "after an interrupted trial, the next call is the trial and its success closes the circuit"
    )
