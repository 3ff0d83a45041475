"""Tests of week6.parallel_map: order, chunking, fail-fast cancellation, timeout, image folders.

A thread pool that counts ``submit`` calls checks the chunking; tasks blocked on an event make
cancellation and timeouts deterministic (nothing is timed, every wait has a safety limit).
Run one part with ``pytest weeks/week6/tests/test_parallel_map.py -k cancel``.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from grader import differential as diff


class CountingPool(ThreadPoolExecutor):
    """A thread pool that remembers every future it hands out."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers)
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future


@pytest.fixture
def pool() -> Iterator[CountingPool]:
    executor = CountingPool(max_workers=2)
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)


def call_in_thread(fn: Callable[[], Any], timeout: float) -> list[Any]:
    """Run ``fn`` in a daemon thread: ``[("ok", result)]``, ``[("raised", exc)]`` or ``[]``."""
    out: list[Any] = []

    def target() -> None:
        try:
            out.append(("ok", fn()))
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            out.append(("raised", exc))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if out and isinstance(out[0][1], NotImplementedError):
        raise out[0][1]  # the stub: report the exercise as not started
    return out


class StuckPool(ThreadPoolExecutor):
    """A pool whose futures never run: only a timeout (or cancellation) ends a wait on them."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.futures.append(future)
        return future


@pytest.fixture(scope="module")
def shared_pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=3) as executor:
        yield executor


def inverse(x: int) -> float:
    return 12 / x  # ZeroDivisionError at 0


# -- order and chunking ---------------------------------------------------------------------------
@pytest.mark.clause("input-order")
@pytest.mark.parametrize("chunksize", [1, 2, 3, 7])
def test_results_keep_input_order(impl: ModuleType, chunksize: int) -> None:
    def slow_square(x: int) -> int:
        time.sleep(0.002 * (10 - x))  # early items finish last
        return x * x

    with ThreadPoolExecutor(max_workers=4) as executor:
        got = impl.parallel_map(slow_square, range(10), executor, chunksize=chunksize)
    assert got == [x * x for x in range(10)], (
        f"chunksize={chunksize}: results must be in input order, got {got}"
    )


@pytest.mark.clause("one-submit-per-chunk")
@pytest.mark.parametrize(("n", "chunksize", "submits"), [(10, 3, 4), (10, 1, 10), (10, 20, 1)])
def test_one_submit_per_chunk(
    impl: ModuleType, pool: CountingPool, n: int, chunksize: int, submits: int
) -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def record(x: int) -> int:
        with lock:
            seen.append(x)
        return -x

    got = impl.parallel_map(record, list(range(n)), pool, chunksize=chunksize)
    assert got == [-x for x in range(n)], f"results: want {[-x for x in range(n)]}, got {got}"
    assert len(pool.futures) == submits, (
        f"{n} items with chunksize={chunksize} make {submits} chunks, so {submits} calls to "
        f"executor.submit; yours made {len(pool.futures)}"
    )
    assert sorted(seen) == list(range(n)), f"fn must run once per item, ran on {sorted(seen)}"


@pytest.mark.clause("picklable", "input-order")
def test_process_pool_with_chunks(impl: ModuleType) -> None:
    square = functools.partial(pow, exp=2)
    with ProcessPoolExecutor(max_workers=2) as executor:
        got = impl.parallel_map(square, range(-20, 20), executor, chunksize=7)
    assert got == [x * x for x in range(-20, 20)], (
        "with a ProcessPoolExecutor the chunk helper must be a module-level function (it is "
        f"pickled); results in input order expected, got {got}"
    )


@pytest.mark.clause("no-items", "chunksize-range", "any-iterable", "executor-open")
def test_edge_cases_and_executor_left_open(impl: ModuleType, pool: CountingPool) -> None:
    assert impl.parallel_map(abs, [], pool) == [], "no items: []"
    assert pool.futures == [], "no items: nothing to submit"
    with pytest.raises(ValueError):
        impl.parallel_map(abs, [1, 2], pool, chunksize=0)
    assert impl.parallel_map(abs, iter([-1, -2, -3]), pool, chunksize=2) == [1, 2, 3], (
        "items may be any iterable (here an iterator): materialise it once"
    )
    try:
        still_open = pool.submit(abs, -4).result(timeout=5)
    except RuntimeError:
        still_open = None
    assert still_open == 4, (
        "parallel_map must not shut down the caller's executor (no `with executor:` inside)"
    )


@pytest.mark.clause("input-order", "one-submit-per-chunk", "chunksize-range", "no-items")
@given(
    items=st.lists(st.integers(-6, 6), max_size=12),
    chunksize=st.sampled_from([-1, 0, 1, 2, 3, 5, 50]),
)
@example(items=[], chunksize=0)
@example(items=[3, 0, 4, 0], chunksize=3)
@example(items=list(range(1, 11)), chunksize=3)
def test_parallel_map_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    shared_pool: ThreadPoolExecutor,
    items: list[int],
    chunksize: int,
) -> None:
    def run(module: ModuleType) -> Any:
        pool = CountingPool(max_workers=2)
        try:
            got = module.parallel_map(inverse, list(items), pool, chunksize=chunksize)
        finally:
            pool.shutdown(wait=True)
        return got, len(pool.futures)  # the results and the number of submits

    if 0 in items:  # a failure: only the exception type is specified (which chunk fails first
        # is a race), so compare the outcome without the submit count
        diff.assert_same(
            lambda: impl.parallel_map(inverse, list(items), shared_pool, chunksize=chunksize),
            lambda: reference.parallel_map(inverse, list(items), shared_pool, chunksize=chunksize),
        )
    else:
        diff.assert_same(lambda: run(impl), lambda: run(reference))


# -- failures and timeouts ------------------------------------------------------------------------
@pytest.mark.clause("fail-fast")
def test_first_failure_cancels_pending_chunks(impl: ModuleType, pool: CountingPool) -> None:
    gate = threading.Event()
    started: list[int] = []

    def fn(x: int) -> int:
        if x == 0:
            raise ValueError("pill 0 is not an image")
        started.append(x)
        gate.wait(5)
        return x

    try:
        out = call_in_thread(lambda: impl.parallel_map(fn, range(20), pool), timeout=3)
    finally:
        gate.set()
    assert out, (
        "parallel_map did not return within 3 s after item 0 failed: it must raise as soon as "
        "one chunk fails, without waiting for the chunks still running (FIRST_EXCEPTION)"
    )
    kind, value = out[0]
    assert kind == "raised" and isinstance(value, ValueError), (
        f"the ValueError of item 0 must propagate unchanged; got {kind}: {value!r}"
    )
    assert "pill 0" in str(value), f"re-raise the original exception, got {value!r}"
    cancelled = sum(f.cancelled() for f in pool.futures)
    assert len(started) <= 3 and cancelled >= 16, (
        f"after the failure, chunks that had not started must be cancelled: {len(started)} "
        f"items started (at most 3 expected with 2 workers) and {cancelled} of "
        f"{len(pool.futures)} futures were cancelled (call future.cancel() on the pending ones)"
    )


@pytest.mark.clause("timeout")
def test_timeout_raises_and_cancels(impl: ModuleType, pool: CountingPool) -> None:
    gate = threading.Event()

    def stuck(x: int) -> int:
        gate.wait(5)
        return x

    try:
        out = call_in_thread(
            lambda: impl.parallel_map(stuck, range(12), pool, chunksize=2, timeout=0.2), timeout=3
        )
    finally:
        gate.set()
    assert out, "timeout=0.2 was not honoured: parallel_map was still waiting after 3 s"
    kind, value = out[0]
    assert kind == "raised" and isinstance(value, TimeoutError), (
        f"when the timeout expires parallel_map raises TimeoutError, got {kind}: {value!r}"
    )
    cancelled = sum(f.cancelled() for f in pool.futures)
    assert cancelled >= 3, (
        f"on timeout the unstarted chunks must be cancelled: 6 chunks, 2 running, but only "
        f"{cancelled} cancelled"
    )


@pytest.mark.clause("picklable", "fail-fast")
def test_errors_raised_inside_processes_propagate(impl: ModuleType) -> None:
    with ProcessPoolExecutor(max_workers=2) as executor, pytest.raises(ValueError):
        impl.parallel_map(int, ["1", "2", "three", "4"], executor, chunksize=2)


@pytest.mark.clause("fail-fast")
def test_the_original_exception_object_is_raised(impl: ModuleType, pool: CountingPool) -> None:
    boom = KeyError("pill 7")

    def fn(x: int) -> int:
        if x == 7:
            raise boom
        return x

    with pytest.raises(KeyError) as info:
        impl.parallel_map(fn, range(10), pool, chunksize=3)
    assert info.value is boom, (
        f"re-raise the very exception fn raised (future.exception()), not a copy or a wrapper; "
        f"got {info.value!r}"
    )


@pytest.mark.clause("timeout")
def test_timeout_cancels_every_unstarted_chunk(impl: ModuleType) -> None:
    pool = StuckPool()
    try:
        out = call_in_thread(
            lambda: impl.parallel_map(abs, range(7), pool, chunksize=2, timeout=0.05), timeout=3
        )
    finally:
        pool.shutdown(wait=False)
    assert out, "timeout=0.05 was not honoured: parallel_map was still waiting after 3 s"
    kind, value = out[0]
    assert kind == "raised" and isinstance(value, TimeoutError), (
        f"chunks unfinished when the timeout expires: raise TimeoutError, got {kind}: {value!r}"
    )
    cancelled = [f.cancelled() for f in pool.futures]
    assert len(cancelled) == 4 and all(cancelled), (
        f"none of the 4 chunks had started: all must be cancelled on timeout, got {cancelled}"
    )


@pytest.mark.clause("no-timeout")
def test_no_timeout_waits_for_slow_chunks(impl: ModuleType, pool: CountingPool) -> None:
    gate, started = threading.Event(), threading.Event()

    def slow(x: int) -> int:
        started.set()
        gate.wait(10)
        return -x

    out: list[Any] = []

    def caller() -> None:
        try:
            out.append(("ok", impl.parallel_map(slow, range(4), pool, chunksize=2)))
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            out.append(("raised", exc))

    thread = threading.Thread(target=caller, daemon=True)
    thread.start()
    for _ in range(100):  # until a chunk runs (or the call ended early)
        if started.wait(0.05) or not thread.is_alive():
            break
    thread.join(0.5)  # parallel_map must still be waiting: nothing has finished
    gate.set()
    thread.join(15)
    if out and isinstance(out[0][1], NotImplementedError):
        raise out[0][1]
    assert out, "parallel_map(timeout=None) never returned"
    kind, value = out[0]
    assert (kind, value) == ("ok", [0, -1, -2, -3]), (
        f"timeout=None waits as long as the chunks need (no default timeout), got {kind}: {value!r}"
    )


# -- images ---------------------------------------------------------------------------------------
COLOURS = {
    "b_round.PNG": ((40, 80), "RGBA", (200, 30, 30, 255)),
    "a_oval.png": ((32, 32), "RGB", (10, 120, 200)),
    "d_capsule.jpg": ((50, 20), "RGB", (240, 240, 240)),
    "c_grey.png": ((24, 24), "L", 128),
    "e_tiny.jpeg": ((8, 8), "RGB", (0, 150, 0)),
}


@pytest.mark.clause("preprocess-image", "folder-files", "mkdir", "folder-order")
def test_preprocess_folder(impl: ModuleType, tmp_path: Path) -> None:
    src = tmp_path / "raw"
    src.mkdir()
    for name, (size, mode, colour) in COLOURS.items():
        fmt = "JPEG" if name.lower().endswith((".jpg", ".jpeg")) else "PNG"
        Image.new(mode, size, colour).save(src / name, fmt)
    (src / "notes.txt").write_text("not an image")
    (src / "sub").mkdir()
    dst = tmp_path / "out" / "64px"
    with ProcessPoolExecutor(max_workers=2) as executor:
        got = impl.preprocess_folder(src, dst, executor, size=16, chunksize=2)
    want_order = sorted(src / name for name in COLOURS)
    want = [dst / f"{p.stem}.png" for p in want_order]
    assert [Path(p) for p in got] == want, (
        f"preprocess_folder should return {[p.name for p in want]} (image files sorted by "
        f"path, written as <stem>.png into dst_dir), got {[Path(p).name for p in got]}"
    )
    for path, source in zip(want, want_order, strict=True):
        assert path.is_file(), f"{path} was not written"
        with Image.open(path) as image:
            assert image.format == "PNG" and image.mode == "RGB" and image.size == (16, 16), (
                f"{path.name}: want a 16x16 RGB PNG, got {image.size} {image.mode} {image.format}"
            )
            pixels = np.asarray(image, dtype=float)
        size, mode, colour = COLOURS[source.name]
        with Image.open(source) as original:
            expected = np.asarray(original.convert("RGB"), dtype=float).mean(axis=(0, 1))
        assert np.allclose(pixels.mean(axis=(0, 1)), expected, atol=3), (
            f"{path.name}: a solid {mode} image must keep its colour after convert('RGB') and "
            f"resize: mean {pixels.mean(axis=(0, 1)).round(1)}, expected {expected.round(1)}"
        )


@pytest.mark.clause("preprocess-image")
@pytest.mark.parametrize(("mode", "size"), [("RGB", 7), ("RGBA", 1), ("L", 33), ("P", 16)])
def test_preprocess_image_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, tmp_path: Path, mode: str, size: int
) -> None:
    rng = np.random.default_rng(size)
    ramp = np.linspace(0, 255, 24 * 40).reshape(24, 40)
    data = np.stack([ramp, ramp.T[::-1].reshape(24, 40), rng.uniform(0, 255, (24, 40))], -1)
    src = tmp_path / "pill.name.JPG"
    Image.fromarray(data.astype(np.uint8), "RGB").convert(mode).save(src, "PNG")
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    mine.mkdir()
    theirs.mkdir()
    got = impl.preprocess_image(src, mine, size)
    want = reference.preprocess_image(src, theirs, size)
    assert Path(got) == mine / want.name, (
        f"preprocess_image should write and return dst_dir / (src.stem + '.png') = "
        f"{mine / want.name}, got {got}"
    )
    with Image.open(got) as image, Image.open(want) as expected:
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", (size, size)), (
            f"want a {size}x{size} RGB PNG, got {image.size} {image.mode} {image.format}"
        )
        # bilinear resampling of the RGB image; a rounding difference of a level is fine
        diff_max = np.abs(np.asarray(image, float) - np.asarray(expected, float)).max()
    assert diff_max <= 2, (
        f"pixels differ from convert('RGB') then resize((size, size), BILINEAR) by up to "
        f"{diff_max} levels"
    )


@pytest.mark.clause("folder-params", "folder-files")
def test_preprocess_folder_passes_chunksize_and_timeout(impl: ModuleType, tmp_path: Path) -> None:
    src = tmp_path / "raw"
    (src / "nested").mkdir(parents=True)
    for name in ["a.png", "b.JPEG", "c.jpg", "d.png", "e.Png"]:
        Image.new("RGB", (4, 4), (1, 2, 3)).save(src / name, "PNG")
    Image.new("RGB", (4, 4)).save(src / "nested" / "deep.png", "PNG")
    (src / "f.gif").write_bytes(b"GIF89a")
    counting = CountingPool(max_workers=2)
    try:
        got = impl.preprocess_folder(src, tmp_path / "out", counting, size=3, chunksize=2)
    finally:
        counting.shutdown(wait=True)
    assert [Path(p).name for p in got] == ["a.png", "b.png", "c.png", "d.png", "e.png"], (
        f"5 images directly in src_dir (any case of .png/.jpg/.jpeg, not the nested one, not the "
        f".gif): got {[Path(p).name for p in got]}"
    )
    assert len(counting.futures) == 3, (
        f"chunksize=2 with 5 images: 3 submits to the executor, got {len(counting.futures)}"
    )
    stuck = StuckPool()
    try:
        out = call_in_thread(
            lambda: impl.preprocess_folder(src, tmp_path / "out2", stuck, timeout=0.05), timeout=3
        )
    finally:
        stuck.shutdown(wait=False)
    assert out and out[0][0] == "raised" and isinstance(out[0][1], TimeoutError), (
        f"preprocess_folder(timeout=0.05) on a pool that never runs anything must raise "
        f"TimeoutError (pass timeout on to parallel_map); got {out}"
    )
