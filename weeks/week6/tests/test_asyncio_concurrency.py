"""Tests of week6.asyncio_concurrency: bounded fan-out, first success, and a micro-batcher.

``fetch_all`` talks to an in-process ASGI app (``httpx.ASGITransport``) that counts the requests
in flight and notices cancellations. Waits are a few milliseconds and every scenario runs under
``asyncio.wait_for``, so a hang fails fast instead of blocking the grader. Run one part with
``pytest weeks/week6/tests/test_asyncio_concurrency.py -k batcher``.
"""

from __future__ import annotations

import asyncio
import json
import selectors
from collections.abc import Awaitable, Callable, Coroutine
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

LIMIT = 5.0  # seconds any scenario may take before it counts as hung


async def bounded(scenario: Coroutine[Any, Any, Any], what: str) -> Any:
    """``scenario``, failing with ``what`` if it hangs for ``LIMIT`` seconds."""
    try:
        return await asyncio.wait_for(scenario, LIMIT)
    except TimeoutError:
        pytest.fail(f"{what}: still waiting after {LIMIT} s (a missing flush or await?)")


def run(scenario: Coroutine[Any, Any, Any], what: str) -> Any:
    """Run ``scenario`` in a fresh event loop; fail with ``what`` if it hangs."""
    return asyncio.run(bounded(scenario, what))


class _JumpingSelector(selectors.DefaultSelector):
    """``select`` never sleeps: when nothing is ready, the virtual clock jumps to the next timer."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> Any:
        events = super().select(0)
        if not events and timeout:
            self.now += timeout
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on an injected clock: ``loop.time()`` is virtual, waiting costs nothing."""

    def __init__(self) -> None:
        self._jumping = _JumpingSelector()
        super().__init__(self._jumping)

    def time(self) -> float:
        return self._jumping.now


def run_virtual(scenario: Coroutine[Any, Any, Any], what: str) -> Any:
    """``run`` on virtual time: timers fire in order, in no wall time at all."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(bounded(scenario, what))
    finally:
        loop.close()


class Backend:
    """An ASGI app: ``/item/<n>?delay=s`` answers ``{"item": n}`` after ``s`` seconds,
    ``/status/<code>`` answers that status, ``/text`` a body that is not JSON."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.cancelled = 0
        self.served = 0

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        assert scope["type"] == "http", f"the test backend serves HTTP only, got {scope['type']!r}"
        query = parse_qs(scope["query_string"].decode())
        delay = float(query.get("delay", ["0"])[0])
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(delay)
            path = scope["path"]
            status, body = 200, b""
            if path.startswith("/status/"):
                status = int(path.rsplit("/", 1)[1])
                body = json.dumps({"status": status}).encode()
            elif path == "/text":
                body = b"<html>not json</html>"
            else:
                body = json.dumps({"item": int(path.rsplit("/", 1)[1])}).encode()
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": body})
            self.served += 1
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1


def client_for(backend: Backend) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=backend), base_url="http://svc")


# -- fetch_all ------------------------------------------------------------------------------------
@pytest.mark.clause("fetch-order", "fetch-concurrent")
def test_fetch_all_returns_results_in_input_order(impl: ModuleType) -> None:
    backend = Backend()
    urls = [f"/item/{i}?delay={0.002 * (6 - i)}" for i in range(6)]  # first finishes last

    async def scenario() -> list[Any]:
        async with client_for(backend) as client:
            return await impl.fetch_all(urls, client, limit=6, timeout=2)

    results = run(scenario(), "fetch_all")
    assert [r.url for r in results] == urls, "one FetchResult per URL, in the order of urls"
    assert [r.data for r in results] == [{"item": i} for i in range(6)], (
        f"data must be response.json() of each URL, in input order; got {[r.data for r in results]}"
    )
    assert all(r.ok and r.error is None for r in results), "no request failed here"
    assert backend.peak > 1, "the requests must run concurrently, not one after another"


@pytest.mark.clause("fetch-limit")
@pytest.mark.parametrize("limit", [1, 3])
def test_fetch_all_never_exceeds_the_limit(impl: ModuleType, limit: int) -> None:
    backend = Backend()
    urls = [f"/item/{i}?delay=0.01" for i in range(12)]

    async def scenario() -> list[Any]:
        async with client_for(backend) as client:
            return await impl.fetch_all(urls, client, limit=limit, timeout=2)

    results = run(scenario(), "fetch_all")
    assert all(r.ok for r in results), f"all 12 requests should succeed: {results}"
    assert backend.peak == limit, (
        f"limit={limit}: at most {limit} requests may be in flight at once (and with 12 slow "
        f"requests, exactly {limit} are); the server saw {backend.peak} at once"
    )


@pytest.mark.clause("fetch-errors", "fetch-isolated")
def test_fetch_all_reports_errors_per_url(impl: ModuleType) -> None:
    backend = Backend()
    urls = ["/status/500", "/item/1?delay=0.02", "/status/404", "/text", "/item/4"]

    async def scenario() -> list[Any]:
        async with client_for(backend) as client:
            return await impl.fetch_all(urls, client, limit=5, timeout=2)

    results = run(scenario(), "fetch_all with failing URLs")
    assert isinstance(results, list) and len(results) == 5, (
        f"failures are values, not exceptions: want 5 FetchResults, got {results!r}"
    )
    ok = {r.url: r.data for r in results if r.ok}
    assert ok == {"/item/1?delay=0.02": {"item": 1}, "/item/4": {"item": 4}}, (
        f"the two good URLs must succeed even though others failed (one failure must not "
        f"cancel the rest); successes: {ok}"
    )
    errors = {r.url: r.error for r in results if not r.ok}
    for url, status in (("/status/500", 500), ("/status/404", 404)):
        error = errors.get(url)
        assert isinstance(error, httpx.HTTPStatusError), (
            f"{url} answers {status}: its error should be the httpx.HTTPStatusError raised by "
            f"response.raise_for_status(), got {error!r}"
        )
        assert error.response.status_code == status, (
            f"{url}'s HTTPStatusError should carry its {status} response, got status "
            f"{error.response.status_code}"
        )
    assert "/text" in errors and isinstance(errors["/text"], ValueError), (
        f"a body that is not JSON is an error too (json.JSONDecodeError), got {errors}"
    )
    assert all(r.data is None for r in results if not r.ok), "a failed URL has data=None"


@pytest.mark.clause("fetch-timeout", "fetch-isolated")
def test_fetch_all_times_out_slow_requests_only(impl: ModuleType) -> None:
    backend = Backend()
    urls = ["/item/0?delay=30", "/item/1", "/item/2?delay=0.01"]

    async def scenario() -> list[Any]:
        async with client_for(backend) as client:
            return await impl.fetch_all(urls, client, limit=3, timeout=0.2)

    results = run(scenario(), "fetch_all with timeout=0.2 and a 30 s request")
    assert isinstance(results[0].error, TimeoutError), (
        f"the 30 s request must fail with TimeoutError after timeout=0.2 s (asyncio.timeout), "
        f"got {results[0]!r}"
    )
    assert [r.data for r in results[1:]] == [{"item": 1}, {"item": 2}], (
        f"the fast requests must still succeed: {results[1:]}"
    )
    assert backend.cancelled == 1 and backend.in_flight == 0, (
        f"the timed-out request must be cancelled, not left running: server saw "
        f"{backend.cancelled} cancellations, {backend.in_flight} still in flight"
    )


@pytest.mark.clause("fetch-cancel")
def test_fetch_all_cancellation_cancels_every_request(impl: ModuleType) -> None:
    backend = Backend()
    urls = [f"/item/{i}?delay=30" for i in range(4)]

    async def scenario() -> None:
        async with client_for(backend) as client:
            task = asyncio.create_task(impl.fetch_all(urls, client, limit=4, timeout=60))
            for _ in range(500):
                if backend.in_flight == 4 or task.done():
                    break
                await asyncio.sleep(0.002)
            if task.done():
                task.result()  # surfaces NotImplementedError or the real error
            assert backend.in_flight == 4, f"4 requests should be in flight, {backend.in_flight}"
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0)
            # checked here: when the loop closes, asyncio.run cancels leftover tasks anyway
            assert backend.cancelled == 4 and backend.in_flight == 0, (
                f"cancelling fetch_all must cancel every request in flight before it returns "
                f"(a TaskGroup does): {backend.cancelled} of 4 were cancelled, "
                f"{backend.in_flight} still running"
            )

    run(scenario(), "cancelling fetch_all")


@pytest.mark.clause("fetch-empty", "fetch-limit-range")
def test_fetch_all_edge_cases(impl: ModuleType) -> None:
    async def scenario() -> None:
        async with client_for(Backend()) as client:
            assert await impl.fetch_all([], client) == [], "no URLs: []"
            with pytest.raises(ValueError):
                await impl.fetch_all(["/item/1"], client, limit=0)

    run(scenario(), "fetch_all edge cases")


class DownTransport(httpx.AsyncBaseTransport):
    """The backend, except that ``/down`` fails to connect (an httpx transport error)."""

    def __init__(self, backend: Backend) -> None:
        self.inner = httpx.ASGITransport(app=backend)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/down":
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


@pytest.mark.clause("fetch-errors", "fetch-isolated")
def test_fetch_all_reports_transport_errors(impl: ModuleType) -> None:
    async def scenario() -> list[Any]:
        transport = DownTransport(Backend())
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            return await impl.fetch_all(["/item/3", "/down", "/item/5"], client, limit=2)

    results = run(scenario(), "fetch_all with a refused connection")
    assert isinstance(results, list) and len(results) == 3, f"3 FetchResults expected: {results!r}"
    assert isinstance(results[1].error, httpx.ConnectError) and results[1].data is None, (
        f"/down cannot connect: its FetchResult holds the httpx.ConnectError, got {results[1]!r}"
    )
    assert [results[0].data, results[2].data] == [{"item": 3}, {"item": 5}], (
        f"the other URLs still succeed: {results}"
    )


# -- first_success --------------------------------------------------------------------------------
def attempt(
    log: dict[str, str], name: str, delay: float, value: Any = None, error: Exception | None = None
) -> Awaitable[Any]:
    """A coroutine that records in ``log`` whether it finished, failed or was cancelled."""

    async def body() -> Any:
        try:
            await asyncio.sleep(delay)
        except asyncio.CancelledError:
            log[name] = "cancelled"
            raise
        if error is not None:
            log[name] = "failed"
            raise error
        log[name] = "done"
        return value

    return body()


@pytest.mark.clause("first-wins", "first-cancels")
def test_first_success_skips_failures_and_cancels_the_rest(impl: ModuleType) -> None:
    log: dict[str, str] = {}

    async def scenario() -> tuple[Any, dict[str, str]]:
        got = await impl.first_success(
            [
                attempt(log, "slow", 30, "slow"),
                attempt(log, "broken", 0.001, error=ConnectionError("replica down")),
                attempt(log, "fast", 0.02, "fast"),
                attempt(log, "slower", 20, "slower"),
            ]
        )
        return got, dict(log)  # the log as it was when first_success returned

    got, at_return = run(scenario(), "first_success")
    assert got == "fast", (
        f"'broken' fails first, 'fast' is the first to succeed: want 'fast', got {got!r}"
    )
    assert at_return == {
        "broken": "failed",
        "fast": "done",
        "slow": "cancelled",
        "slower": "cancelled",
    }, (
        "when first_success returns, the losers must already be cancelled (cancel them, then "
        f"await them, e.g. with asyncio.gather(..., return_exceptions=True)); state: {at_return}"
    )


@pytest.mark.clause("all-fail")
def test_first_success_raises_an_exception_group_when_all_fail(impl: ModuleType) -> None:
    log: dict[str, str] = {}

    async def scenario() -> None:
        await impl.first_success(
            [
                attempt(log, "a", 0.01, error=TimeoutError("a")),
                attempt(log, "b", 0.001, error=ConnectionError("b")),
                attempt(log, "c", 0.005, error=KeyError("c")),
            ]
        )

    with pytest.raises(ExceptionGroup) as info:
        run(scenario(), "first_success with only failures")
    types = [type(e) for e in info.value.exceptions]
    assert types == [TimeoutError, ConnectionError, KeyError], (
        f"the ExceptionGroup must hold every failure in input order (a, b, c), got {types}"
    )


@pytest.mark.clause("first-cancelled")
def test_first_success_cancelled_cancels_its_tasks(impl: ModuleType) -> None:
    log: dict[str, str] = {}

    async def scenario() -> None:
        task = asyncio.create_task(
            impl.first_success([attempt(log, "x", 30, 1), attempt(log, "y", 30, 2)])
        )
        await asyncio.sleep(0.01)
        if task.done():
            task.result()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(scenario(), "cancelling first_success")
    assert log == {"x": "cancelled", "y": "cancelled"}, (
        f"cancelling first_success must cancel (and wait for) every attempt; state: {log}"
    )


@pytest.mark.clause("no-awaitables")
def test_first_success_needs_awaitables(impl: ModuleType) -> None:
    async def scenario() -> None:
        with pytest.raises(ValueError):
            await impl.first_success([])

    run(scenario(), "first_success([])")


@pytest.mark.clause("first-ties")
def test_first_success_ties_go_to_the_earliest_in_input_order(impl: ModuleType) -> None:
    async def value(x: str) -> str:
        return x  # finishes in the first step, like every other one here

    async def broken() -> str:
        raise ConnectionError("replica down")

    async def scenario() -> Any:
        return await impl.first_success([broken(), value("b"), value("c"), value("d")])

    got = run(scenario(), "first_success with simultaneous successes")
    assert got == "b", (
        f"b, c and d succeed in the same step: the earliest in input order, 'b', wins; got {got!r}"
    )


# -- MicroBatcher ---------------------------------------------------------------------------------
class Model:
    """A fake batched model: records every batch and answers ``f"out-{x}"`` per item."""

    def __init__(self, delay: float = 0.0, fail_on: Any = None, drop_one: bool = False) -> None:
        self.batches: list[list[Any]] = []
        self.delay = delay
        self.fail_on = fail_on
        self.drop_one = drop_one
        self.gate: asyncio.Event | None = None

    async def __call__(self, items: list[Any]) -> list[str]:
        self.batches.append(list(items))
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(self.delay)
        if self.fail_on is not None and self.fail_on in items:
            raise RuntimeError(f"GPU out of memory on batch {items}")
        out = [f"out-{x}" for x in items]
        return out[:-1] if self.drop_one else out


@pytest.mark.clause("flush-full", "batch-order")
def test_batcher_flushes_full_batches_at_once(impl: ModuleType) -> None:
    model = Model()

    async def scenario() -> list[str]:
        batcher = impl.MicroBatcher(model, max_batch_size=4, max_wait=60.0)
        return await asyncio.gather(*(batcher.submit(i) for i in range(8)))

    got = run(scenario(), "8 items with max_batch_size=4 and max_wait=60 s (full batches)")
    assert got == [f"out-{i}" for i in range(8)], f"each caller gets its own result, got {got}"
    assert model.batches == [[0, 1, 2, 3], [4, 5, 6, 7]], (
        f"two full batches in submission order expected, process saw {model.batches}"
    )


@pytest.mark.clause("flush-max-wait")
def test_batcher_flushes_a_partial_batch_after_max_wait(impl: ModuleType) -> None:
    model = Model()

    async def scenario() -> list[str]:
        batcher = impl.MicroBatcher(model, max_batch_size=100, max_wait=0.01)
        return await asyncio.gather(*(batcher.submit(f"pill{i}") for i in range(3)))

    got = run(
        scenario(),
        "3 items with max_batch_size=100, max_wait=0.01: the partial batch must be flushed "
        "after max_wait",
    )
    assert got == ["out-pill0", "out-pill1", "out-pill2"], (
        "each caller should get the model's output for its own item, in order: want "
        f"['out-pill0', 'out-pill1', 'out-pill2'], got {got!r}"
    )
    assert model.batches == [["pill0", "pill1", "pill2"]], (
        f"the 3 items arrived together: one batch expected, got {model.batches}"
    )


@pytest.mark.clause("routing", "batch-order")
def test_batcher_composition_and_routing(impl: ModuleType) -> None:
    model = Model(delay=0.005)

    async def caller(batcher: Any, i: int) -> tuple[int, str]:
        await asyncio.sleep(0.001 * (i // 4))  # arrive in waves
        return i, await batcher.submit(i)

    async def scenario() -> list[tuple[int, str]]:
        async with impl.MicroBatcher(model, max_batch_size=4, max_wait=0.01) as batcher:
            return await asyncio.gather(*(caller(batcher, i) for i in range(10)))

    got = run(scenario(), "10 callers, max_batch_size=4")
    wrong = [(i, r) for i, r in got if r != f"out-{i}"]
    assert not wrong, f"results went to the wrong callers (caller, result): {wrong}"
    assert sorted(x for batch in model.batches for x in batch) == list(range(10)), (
        f"every item must be processed exactly once, batches: {model.batches}"
    )
    assert all(len(b) <= 4 for b in model.batches) and all(b == sorted(b) for b in model.batches), (
        f"batches hold at most 4 items, in submission order: {model.batches}"
    )


@pytest.mark.clause("routing")
def test_batcher_routes_results_of_overlapping_batches(impl: ModuleType) -> None:
    class SlowFirst(Model):
        async def __call__(self, items: list[Any]) -> list[str]:
            self.batches.append(list(items))
            await asyncio.sleep(0.03 if len(self.batches) == 1 else 0.0)  # batch 1 ends last
            return [f"out-{x}" for x in items]

    model = SlowFirst()

    async def scenario() -> list[str]:
        batcher = impl.MicroBatcher(model, max_batch_size=3, max_wait=0.01)
        return await asyncio.gather(*(batcher.submit(i) for i in range(6)))

    got = run(scenario(), "two overlapping batches")
    assert got == [f"out-{i}" for i in range(6)], (
        f"the second batch finished before the first: each caller must still get its own "
        f"result (one future per item), got {got}"
    )


@pytest.mark.clause("batch-error", "batch-recovers")
def test_batcher_errors_reach_every_caller_of_the_batch(impl: ModuleType) -> None:
    model = Model(fail_on=5)

    async def scenario() -> list[Any]:
        batcher = impl.MicroBatcher(model, max_batch_size=4, max_wait=0.01)
        first = await asyncio.gather(*(batcher.submit(i) for i in range(8)), return_exceptions=True)
        after = await batcher.submit(42)  # the batcher keeps working after a failed batch
        return [*first, after]

    got = run(scenario(), "a failing batch")
    assert got[:4] == ["out-0", "out-1", "out-2", "out-3"], f"the first batch succeeded: {got[:4]}"
    failed = got[4:8]
    assert all(isinstance(e, RuntimeError) and "out of memory" in str(e) for e in failed), (
        f"process raised for batch [4, 5, 6, 7]: each of its 4 callers must get that "
        f"RuntimeError, got {failed}"
    )
    assert got[8] == "out-42", f"a later batch must still work, got {got[8]!r}"


@pytest.mark.clause("batch-count")
def test_batcher_wrong_result_count_is_an_error(impl: ModuleType) -> None:
    async def scenario() -> list[Any]:
        batcher = impl.MicroBatcher(Model(drop_one=True), max_batch_size=3, max_wait=0.01)
        return await asyncio.gather(*(batcher.submit(i) for i in range(3)), return_exceptions=True)

    got = run(scenario(), "process returning too few results")
    assert all(isinstance(e, ValueError) for e in got), (
        f"process returned 2 results for 3 items: every caller must get a ValueError, got {got}"
    )


@pytest.mark.clause("cancel-early", "cancel-during")
def test_batcher_cancelled_callers(impl: ModuleType) -> None:
    model = Model()

    async def scenario() -> tuple[list[Any], list[Any]]:
        batcher = impl.MicroBatcher(model, max_batch_size=10, max_wait=0.02)
        tasks = [asyncio.create_task(batcher.submit(i)) for i in range(3)]
        await asyncio.sleep(0.001)
        tasks[1].cancel()  # before the flush: item 1 must not be processed
        before = await asyncio.gather(*tasks, return_exceptions=True)

        model.gate = asyncio.Event()
        tasks = [asyncio.create_task(batcher.submit(i)) for i in (10, 11, 12)]
        for _ in range(500):  # wait until the batch is inside process()
            if len(model.batches) == 2:
                break
            await asyncio.sleep(0.001)
        tasks[0].cancel()  # during processing
        await asyncio.sleep(0)
        model.gate.set()
        during = await asyncio.gather(*tasks, return_exceptions=True)
        return before, during

    before, during = run(scenario(), "cancelled callers")
    assert before[0] == "out-0" and before[2] == "out-2", f"callers 0 and 2 got {before}"
    assert isinstance(before[1], asyncio.CancelledError), (
        "caller 1 was cancelled: gather(..., return_exceptions=True) should give its "
        f"CancelledError, got {before[1]!r}"
    )
    assert model.batches[0] == [0, 2], (
        f"caller 1 was cancelled before the flush: its item must be left out, process saw "
        f"{model.batches[0]}"
    )
    assert during[1:] == ["out-11", "out-12"], (
        "a caller cancelled while its batch was processing must not break the others (never "
        f"set_result on a cancelled future): the other two got {during[1:]}"
    )


@pytest.mark.clause("aclose-flushes", "closed")
def test_batcher_close_flushes_and_refuses_new_items(impl: ModuleType) -> None:
    model = Model()

    async def scenario() -> list[Any]:
        batcher = impl.MicroBatcher(model, max_batch_size=10, max_wait=60.0)
        tasks = [asyncio.create_task(batcher.submit(i)) for i in range(2)]
        await asyncio.sleep(0.001)
        await batcher.aclose()
        done = [t.done() for t in tasks]
        with pytest.raises(RuntimeError):
            await batcher.submit(99)
        return [done, await asyncio.gather(*tasks)]

    done, got = run(scenario(), "aclose with a waiting partial batch (max_wait=60 s)")
    assert done == [True, True] and got == ["out-0", "out-1"], (
        f"aclose must flush the waiting items at once and wait for their batch: done={done}, "
        f"results={got}"
    )


@pytest.mark.clause("batcher-params", "flush-full")
def test_batcher_parameters(impl: ModuleType) -> None:
    model = Model()

    async def scenario() -> list[str]:
        batcher = impl.MicroBatcher(model, max_batch_size=1, max_wait=0)
        return await asyncio.gather(batcher.submit("a"), batcher.submit("b"))

    got = run(scenario(), "max_batch_size=1, max_wait=0")
    assert got == ["out-a", "out-b"] and model.batches == [["a"], ["b"]], (
        f"max_batch_size=1 processes every item alone: results {got}, batches {model.batches}"
    )
    with pytest.raises(ValueError):
        impl.MicroBatcher(Model(), max_batch_size=0)
    with pytest.raises(ValueError):
        impl.MicroBatcher(Model(), max_wait=-1)


def spaced_submits(batcher: Any, n: int, every: float) -> Awaitable[list[Any]]:
    """``n`` callers, caller ``i`` submitting ``i`` at virtual time ``i * every``."""

    async def caller(i: int) -> Any:
        await asyncio.sleep(every * i)
        return await batcher.submit(i)

    return asyncio.gather(*(caller(i) for i in range(n)))


@pytest.mark.clause("flush-max-wait", "loop-clock")
def test_batcher_waits_from_the_first_item_not_the_last(impl: ModuleType) -> None:
    model = Model()

    async def scenario() -> list[Any]:
        batcher = impl.MicroBatcher(model, max_batch_size=100, max_wait=0.025)
        return await spaced_submits(batcher, 9, every=0.01)

    got = run_virtual(scenario(), "items every 10 ms, max_wait=25 ms")
    assert got == [f"out-{i}" for i in range(9)], f"each caller gets its own result, got {got}"
    assert model.batches == [[0, 1, 2], [3, 4, 5], [6, 7, 8]], (
        f"items arrive every 10 ms and max_wait=25 ms counts from each batch's FIRST item: "
        f"batches [0, 1, 2], [3, 4, 5], [6, 7, 8] expected (a later item must not restart the "
        f"wait), process saw {model.batches}"
    )


@pytest.mark.clause("flush-full", "loop-clock")
def test_batcher_full_batch_cancels_its_timer(impl: ModuleType) -> None:
    model = Model()

    async def scenario() -> list[Any]:
        batcher = impl.MicroBatcher(model, max_batch_size=2, max_wait=0.025)
        return await spaced_submits(batcher, 6, every=0.01)

    got = run_virtual(scenario(), "items every 10 ms, max_batch_size=2, max_wait=25 ms")
    assert got == [f"out-{i}" for i in range(6)], f"each caller gets its own result, got {got}"
    assert model.batches == [[0, 1], [2, 3], [4, 5]], (
        f"every batch fills up after 10 ms: [0, 1], [2, 3], [4, 5] expected. A batch flushed "
        f"because it was full must cancel its max_wait timer (or that timer flushes the NEXT "
        f"batch early); process saw {model.batches}"
    )


@pytest.mark.clause("batch-count", "batch-recovers")
def test_batcher_too_many_results_is_an_error(impl: ModuleType) -> None:
    class Chatty(Model):
        async def __call__(self, items: list[Any]) -> list[str]:
            out = await super().__call__(items)
            return out + ["extra"] if len(self.batches) == 1 else out

    async def scenario() -> list[Any]:
        batcher = impl.MicroBatcher(Chatty(), max_batch_size=3, max_wait=0.01)
        first = await asyncio.gather(*(batcher.submit(i) for i in range(3)), return_exceptions=True)
        return [*first, await batcher.submit(7)]

    got = run_virtual(scenario(), "process returning too many results")
    assert all(isinstance(e, ValueError) for e in got[:3]), (
        f"process returned 4 results for 3 items: every caller must get a ValueError, got {got}"
    )
    assert got[3] == "out-7", f"a later batch must still work, got {got[3]!r}"
