"""Tests of week6.threads_vs_processes: executors chosen by workload, order, errors, shared memory.

No test measures speed. Threads are proved concurrent with a barrier that only opens when all
tasks wait at once, processes by their process ids, and lost updates are provoked with a number
whose addition pauses in the middle. Process tasks are standard-library functions (picklable
everywhere). Run one part with ``pytest weeks/week6/tests/test_threads_vs_processes.py -k shared``.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import operator
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

SHM = Path("/dev/shm")


# -- helpers --------------------------------------------------------------------------------------
class SlowInt(int):
    """An int whose addition pauses, so that an unguarded ``value += n`` loses updates."""

    def __add__(self, other: Any) -> Any:
        time.sleep(2e-5)
        return int(self) + other

    __radd__ = __add__


def worker_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t is not threading.current_thread()}


def shm_blocks() -> set[str]:
    return {p.name for p in SHM.iterdir()} if SHM.is_dir() else set()


def raise_at(index: int) -> Callable[[], Any]:
    def task() -> Any:
        raise LookupError(f"task {index} broke")

    return task


# -- choose_kind ----------------------------------------------------------------------------------
@pytest.mark.clause("workloads")
@pytest.mark.parametrize(
    ("workload", "want", "why"),
    [
        ("cpu", "process", "pure-Python CPU work holds the GIL: only processes run in parallel"),
        ("io", "thread", "blocking I/O waits without the GIL: threads overlap the waits"),
        ("gil_releasing", "thread", "NumPy/hashlib/zlib release the GIL: threads suffice"),
        ("network_many", "asyncio", "thousands of waits are cheapest as coroutines on one loop"),
    ],
)
def test_choose_kind(impl: ModuleType, workload: str, want: str, why: str) -> None:
    got = impl.choose_kind(workload)
    assert got == want, f"choose_kind({workload!r}) should be {want!r} ({why}), got {got!r}"


@pytest.mark.clause("unknown-workload")
def test_choose_kind_rejects_unknown_workloads(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.choose_kind("gpu")


@pytest.mark.clause("workloads", "unknown-workload")
@pytest.mark.parametrize("workload", ["cpu", "io", "gpu", "", "CPU", "thread", "network"])
def test_choose_kind_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, workload: str
) -> None:
    diff.assert_same(lambda: impl.choose_kind(workload), lambda: reference.choose_kind(workload))


# -- run_concurrently -----------------------------------------------------------------------------
@pytest.mark.clause("input-order", "thread-kind")
def test_threads_keep_input_order(impl: ModuleType) -> None:
    def task(i: int) -> int:
        time.sleep(0.004 * (8 - i))  # the first task finishes last
        return i * i

    tasks = [functools.partial(task, i) for i in range(8)]
    got = impl.run_concurrently(tasks, "thread", max_workers=8)
    assert got == [i * i for i in range(8)], (
        f"results must follow the input order (collect futures in submission order, not with "
        f"as_completed); got {got}"
    )


@pytest.mark.clause("thread-kind", "shutdown")
def test_threads_run_concurrently_and_shut_down(impl: ModuleType) -> None:
    before = worker_threads()
    barrier = threading.Barrier(4)

    def meet() -> int:
        barrier.wait(timeout=2)  # opens only when 4 tasks wait at the same time
        return threading.get_ident()

    try:
        idents = impl.run_concurrently([meet] * 4, "thread", max_workers=4)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - explained below
        pytest.fail(
            f"4 tasks that wait for each other at a barrier must all run at once on 4 threads; "
            f"run_concurrently raised {exc!r} (did the tasks run one after another?)"
        )
    assert threading.get_ident() not in idents, "the tasks must run on worker threads"
    leftover = worker_threads() - before
    assert not leftover, (
        f"worker threads still alive after run_concurrently returned: {sorted(leftover)}. Use "
        "`with ThreadPoolExecutor(...) as pool:` so the pool is shut down"
    )


@pytest.mark.clause("max-workers")
def test_thread_pool_respects_max_workers(impl: ModuleType) -> None:
    lock, running, peak = threading.Lock(), [0], [0]

    def task() -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1

    impl.run_concurrently([task] * 8, "thread", max_workers=2)
    assert 1 <= peak[0] <= 2, f"max_workers=2 allows at most 2 tasks at once, saw {peak[0]}"


@pytest.mark.clause("process-kind", "input-order", "shutdown")
def test_processes_run_tasks_in_other_processes(impl: ModuleType) -> None:
    tasks = [functools.partial(pow, i, 3) for i in range(12)] + [os.getpid] * 2
    got = impl.run_concurrently(tasks, "process", max_workers=2)
    assert got[:12] == [i**3 for i in range(12)], (
        f"results of pow(i, 3) in input order expected, got {got[:12]}"
    )
    assert os.getpid() not in got[12:], (
        f"kind='process' must run the tasks in worker processes: os.getpid() returned the "
        f"test's own pid {os.getpid()} (a ThreadPoolExecutor?)"
    )
    assert not multiprocessing.active_children(), (
        "worker processes still alive after run_concurrently returned: shut the "
        "ProcessPoolExecutor down (use it in a with block)"
    )


@pytest.mark.clause("asyncio-kind", "input-order")
def test_asyncio_runs_all_coroutines_at_once(impl: ModuleType) -> None:
    state = {"waiting": 0}

    def make(i: int) -> Callable[[], Any]:
        async def task() -> int:
            state["waiting"] += 1
            for _ in range(200):  # wait until all 10 coroutines are in flight together
                if state["waiting"] == 10:
                    break
                await asyncio.sleep(0.001)
            else:
                raise RuntimeError(f"only {state['waiting']} of 10 coroutines were in flight")
            await asyncio.sleep(0.001 * (10 - i))
            return -i

        return task

    got = impl.run_concurrently([make(i) for i in range(10)], "asyncio")
    assert got == [-i for i in range(10)], (
        f"kind='asyncio': 10 coroutines that wait for each other must run concurrently (one "
        f"asyncio.run + gather) and give results in input order; got {got}"
    )


@pytest.mark.clause("asyncio-kind", "max-workers")
def test_asyncio_honours_max_workers(impl: ModuleType) -> None:
    state = {"running": 0, "peak": 0}

    async def task() -> str:
        state["running"] += 1
        state["peak"] = max(state["peak"], state["running"])
        await asyncio.sleep(0.002)
        state["running"] -= 1
        return "done"

    got = impl.run_concurrently([task] * 9, "asyncio", max_workers=3)
    assert got == ["done"] * 9, (
        "run_concurrently should return each task's result, in order: want ['done'] * 9, "
        f"got {got!r}"
    )
    assert state["peak"] == 3, (
        f"kind='asyncio', max_workers=3: a semaphore should allow 3 coroutines at once (not "
        f"more, not fewer); the peak was {state['peak']}"
    )


@pytest.mark.clause("lowest-index", "all-run")
@pytest.mark.parametrize("kind", ["thread", "asyncio"])
def test_failure_raises_task_error_with_lowest_index(impl: ModuleType, kind: str) -> None:
    ran: list[int] = []

    def ok(i: int) -> Callable[[], Any]:
        def task() -> int:
            time.sleep(0.002)
            ran.append(i)
            return i

        async def atask() -> int:
            await asyncio.sleep(0.002)
            ran.append(i)
            return i

        return atask if kind == "asyncio" else task

    def bad(i: int) -> Callable[[], Any]:
        async def atask() -> None:
            await asyncio.sleep(0.001 * (6 - i))  # the later failure happens first
            raise LookupError(f"task {i} broke")

        return atask if kind == "asyncio" else raise_at(i)

    tasks = [ok(0), ok(1), bad(2), ok(3), bad(4), ok(5)]
    with pytest.raises(impl.TaskError) as info:
        impl.run_concurrently(tasks, kind, max_workers=3)
    err = info.value
    assert err.index == 2, (
        f"tasks 2 and 4 fail: TaskError.index must be the lowest failing index, 2; got {err.index}"
    )
    assert isinstance(err.__cause__, LookupError) and "task 2" in str(err.__cause__), (
        f"chain the task's own exception: `raise TaskError(i, exc) from exc`; __cause__ is "
        f"{err.__cause__!r}"
    )
    assert sorted(ran) == [0, 1, 3, 5], (
        f"every task must run to the end even when another fails; finished: {sorted(ran)}"
    )


@pytest.mark.clause("lowest-index", "process-kind", "shutdown")
def test_process_failure_keeps_index_and_cause(impl: ModuleType) -> None:
    tasks = [functools.partial(pow, 2, 5), functools.partial(operator.truediv, 1, 0)]
    with pytest.raises(impl.TaskError) as info:
        impl.run_concurrently(tasks, "process", max_workers=2)
    assert info.value.index == 1 and isinstance(info.value.__cause__, ZeroDivisionError), (
        f"1 / 0 in task 1 must surface as TaskError(index=1) caused by ZeroDivisionError; got "
        f"index {info.value.index}, cause {info.value.__cause__!r}"
    )
    assert not multiprocessing.active_children(), "the pool must be shut down after a failure"


@pytest.mark.clause("unknown-kind", "no-tasks")
def test_edge_cases(impl: ModuleType) -> None:
    assert impl.run_concurrently([], "thread") == [], "no tasks: []"
    with pytest.raises(ValueError):
        impl.run_concurrently([os.getpid], "fiber")


async def _afloordiv(a: int, b: int) -> int:
    await asyncio.sleep(0)
    return a // b


def _outcome(module: ModuleType, pairs: list[tuple[int, int]], kind: str, workers: Any) -> Any:
    """What run_concurrently did, comparable across modules: results, or the TaskError's facts."""
    fn = _afloordiv if kind == "asyncio" else operator.floordiv
    tasks = [functools.partial(fn, a, b) for a, b in pairs]
    try:
        return ("returned", module.run_concurrently(tasks, kind, max_workers=workers))
    except module.TaskError as err:
        cause = err.__cause__
        return ("TaskError", err.index, type(cause).__name__, err.error is cause)


@pytest.mark.clause("input-order", "lowest-index", "all-run", "max-workers", "no-tasks")
@given(
    pairs=st.lists(st.tuples(st.integers(-9, 9), st.sampled_from([0, 1, 2, -3])), max_size=6),
    kind=st.sampled_from(["thread", "asyncio", "process"]),
    workers=st.sampled_from([None, 1, 2, 5]),
)
@example(pairs=[(1, 0), (2, 0)], kind="thread", workers=1)
@example(pairs=[(4, 2), (1, 0), (3, 1), (1, 0)], kind="asyncio", workers=2)
@example(pairs=[], kind="process", workers=None)
def test_run_concurrently_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, pairs: list[tuple[int, int]], kind: str, workers: Any
) -> None:
    diff.assert_same(
        lambda: _outcome(impl, pairs, kind, workers),
        lambda: _outcome(reference, pairs, kind, workers),
    )


@pytest.mark.clause("unknown-kind", "no-tasks")
@pytest.mark.parametrize("kind", ["thread", "process", "asyncio", "fiber", "Thread", ""])
def test_kind_is_checked_even_without_tasks(
    impl: ModuleType, reference: ModuleType, kind: str
) -> None:
    diff.assert_same(
        lambda: impl.run_concurrently([], kind), lambda: reference.run_concurrently([], kind)
    )


@pytest.mark.clause("shutdown")
def test_thread_pool_is_shut_down_after_a_failure(impl: ModuleType) -> None:
    before = worker_threads()
    with pytest.raises(impl.TaskError):
        impl.run_concurrently([raise_at(0), os.getpid], "thread", max_workers=2)
    leftover = worker_threads() - before
    assert not leftover, (
        f"worker threads still alive after run_concurrently raised: {sorted(leftover)}; shut the "
        "pool down before raising (a with block)"
    )


# -- Counter --------------------------------------------------------------------------------------
@pytest.mark.clause("counter-api", "no-lost-update")
def test_counter_loses_no_update(impl: ModuleType) -> None:
    counter = impl.Counter()
    assert counter.value == 0, f"a new Counter starts at 0, got {counter.value}"
    counter.increment()
    counter.increment(5)
    assert counter.value == 6, f"increment() then increment(5) gives 6, got {counter.value}"
    threads, per_thread = 8, 150
    barrier = threading.Barrier(threads)

    def hammer() -> None:
        barrier.wait(timeout=10)
        for _ in range(per_thread):
            counter.increment(SlowInt(1))

    workers = [threading.Thread(target=hammer, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
    want = 6 + threads * per_thread
    assert counter.value == want, (
        f"{threads} threads x {per_thread} increments: the value should be {want}, got "
        f"{counter.value}. `self._value += n` is read, add, write: another thread can run in "
        "between; guard it with a threading.Lock"
    )


# -- sum_shared -----------------------------------------------------------------------------------
@pytest.mark.clause("slices", "input-untouched", "returns-float")
@pytest.mark.parametrize(("n", "workers"), [(1, 1), (10, 3), (1001, 2), (7, 4)])
def test_sum_shared_is_exact(impl: ModuleType, n: int, workers: int) -> None:
    values = np.random.default_rng(n).integers(-1000, 1000, n).astype(np.float64)
    copy = values.copy()
    got = impl.sum_shared(values, workers=workers)
    want = float(values.sum())  # integers: every partial sum is exact
    assert isinstance(got, float) and got == want, (
        f"sum_shared of {n} values with {workers} workers should be {want}, got {got!r}. Do the "
        f"slices cover every element exactly once (the last one up to {n})?"
    )
    np.testing.assert_array_equal(values, copy, err_msg="sum_shared must not modify its input")


@pytest.mark.clause("empty", "workers-range")
def test_sum_shared_edge_cases(impl: ModuleType) -> None:
    total = impl.sum_shared(np.array([], dtype=np.float64), workers=2)
    assert total == 0.0, f"sum_shared of an empty array should be 0.0, got {total!r}"
    with pytest.raises(ValueError):
        impl.sum_shared(np.ones(3), workers=0)


@pytest.mark.clause("unlink")
def test_sum_shared_frees_the_shared_block(impl: ModuleType) -> None:
    if not SHM.is_dir():
        pytest.skip("no /dev/shm on this system: cannot look for leaked blocks")
    before = shm_blocks()
    total = impl.sum_shared(np.ones(5000), workers=2)
    assert total == 5000.0, f"sum_shared(np.ones(5000), workers=2) should be 5000.0, got {total!r}"
    leaked = shm_blocks() - before
    assert not leaked, (
        f"shared memory blocks left in /dev/shm: {sorted(leaked)}. The parent must "
        "block.close() and block.unlink() in a finally"
    )
    assert not multiprocessing.active_children(), "the process pool must be shut down"


@pytest.mark.clause("slices", "converts", "workers-range", "empty", "returns-float")
@given(
    values=diff.float_arrays(min_dims=1, max_dims=1, max_side=9),
    workers=st.sampled_from([-1, 0, 1, 2, 3, 5, 11]),
    dtype=st.sampled_from(["float64", "float32", "int32", "int64"]),
    strided=st.booleans(),
)
@example(values=np.arange(10.0), workers=3, dtype="float64", strided=False)
@example(values=np.arange(7.0), workers=11, dtype="int32", strided=True)
@example(values=np.zeros(0), workers=2, dtype="float64", strided=False)
@example(values=np.zeros(0), workers=0, dtype="float64", strided=False)
@example(values=np.arange(4.0), workers=-1, dtype="int64", strided=False)
@example(values=np.arange(9.0), workers=5, dtype="float32", strided=True)
# every example starts process pools (both implementations): 20 drawn cases cover the small
# space of worker counts, dtypes and layouts; the pinned ones above are its corners
@settings(max_examples=20)
def test_sum_shared_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    values: np.ndarray,
    workers: int,
    dtype: str,
    strided: bool,
) -> None:
    values = np.repeat(values, 2)[::2] if strided else values  # a non-contiguous view
    values = values.astype(dtype) if dtype.startswith("float") else values.round().astype(dtype)

    def compare(got: Any, want: float) -> str | None:
        if type(got) is not float:
            return f"sum_shared must return a Python float, got {type(got).__name__} {got!r}"
        # any summation order is right: the rounding error is at most n * eps * sum(|x|)
        scale = float(np.abs(values.astype(np.float64)).sum())
        return diff.same(got, want, rtol=0.0, atol=4 * (values.size + 1) * 2.3e-16 * scale)

    diff.assert_same(
        lambda: impl.sum_shared(values, workers=workers),
        lambda: reference.sum_shared(values, workers=workers),
        compare=compare,
    )


@pytest.mark.clause("unlink")
def test_sum_shared_unlinks_the_block_when_collecting_fails(
    impl: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    if not SHM.is_dir():
        pytest.skip("no /dev/shm on this system: cannot look for leaked blocks")

    def broken(self: Any, timeout: Any = None) -> Any:
        raise RuntimeError("a worker failed")

    before = shm_blocks()
    monkeypatch.setattr(concurrent.futures.Future, "result", broken)
    try:
        impl.sum_shared(np.ones(100), workers=2)
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001, S110 - failing is fine here; leaking is not
        pass
    monkeypatch.undo()
    leaked = shm_blocks() - before
    assert not leaked, (
        f"a worker failed and the shared block leaked in /dev/shm: {sorted(leaked)}. Close and "
        "unlink it in a `finally:` so it is freed on every path"
    )
