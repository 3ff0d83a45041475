"""Drill (20 min): a chunked parallel map on ThreadPoolExecutor or ProcessPoolExecutor.

The prompt
----------
``executor.map`` is almost what you want, but it raises only when you *reach* the failing item,
keeps running everything after a failure, and ships items one by one to processes (each one
pickled and sent separately). Write a better one and use it to preprocess a folder of pill images.

1. ``parallel_map(fn, items, executor, chunksize=1, timeout=None)``: ``[fn(x) for x in items]``
   computed on ``executor`` (a ``ThreadPoolExecutor`` or ``ProcessPoolExecutor`` the *caller*
   owns: use it, never shut it down). [#executor-open]

   - Chunking: split the items into consecutive chunks of ``chunksize`` (the last one may be
     shorter) and call ``executor.submit`` exactly once per chunk, with a module-level helper
     that applies ``fn`` to a whole chunk (a lambda or nested function cannot be pickled to a
     process). [#picklable] 10 items with ``chunksize=3``: 4 submits, chunks of 3, 3, 3 and 1.
     [#one-submit-per-chunk]
   - Order: the results are in input order, whatever the order in which chunks finish.
     [#input-order]
   - Fail fast: as soon as any chunk raises, cancel every chunk that has not started
     (``future.cancel()``) and re-raise that exception (the original exception object, not a
     wrapper) without waiting for the chunks still running. [#fail-fast]
   - Timeout: when the chunks are not all finished ``timeout`` seconds after submission, cancel
     what has not started and raise ``TimeoutError``. [#timeout] ``None`` waits as long as
     needed. [#no-timeout]
   - ``chunksize < 1`` raises ``ValueError``, also when there are no items; [#chunksize-range]
     no items gives ``[]`` (and submits nothing). [#no-items]

   ``concurrent.futures.wait(futures, timeout=..., return_when=FIRST_EXCEPTION)`` gives you both
   the fail-fast and the timeout behaviour in one call.

2. ``preprocess_image(src, dst_dir, size)``: open the image ``src``, convert it to RGB, resize it
   to ``size`` x ``size`` (bilinear), save it as PNG to ``dst_dir / (src.stem + ".png")`` and
   return that path. [#preprocess-image] Module level, so that a process can run it.

3. ``preprocess_folder(src_dir, dst_dir, executor, size=64, chunksize=4, timeout=None)``: every
   file of ``src_dir`` (not recursive) whose suffix, lower-cased, is in :data:`IMAGE_SUFFIXES`,
   sorted by path, preprocessed with ``parallel_map`` (``functools.partial`` binds ``dst_dir`` and
   ``size``); [#folder-files] create ``dst_dir`` (and its parents) if needed; [#mkdir] return the
   output paths in that sorted order. [#folder-order] ``chunksize`` and ``timeout`` are passed on
   to ``parallel_map``. [#folder-params]

Example::

    >>> with ProcessPoolExecutor(max_workers=2) as pool:
    ...     parallel_map(abs, range(-5, 5), pool, chunksize=3)
    [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]

Given (do not change): :data:`IMAGE_SUFFIXES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

__all__ = ["IMAGE_SUFFIXES", "parallel_map", "preprocess_folder", "preprocess_image"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def parallel_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    executor: Executor,
    chunksize: int = 1,
    timeout: float | None = None,
) -> list[Any]:
    """``[fn(x) for x in items]`` on ``executor``, in chunks, failing fast, within ``timeout``.

    Args:
        fn: applied to every item (picklable when ``executor`` is a process pool).
        items: the inputs (any iterable; materialise it once). [#any-iterable]
        executor: the caller's pool; do not shut it down.
        chunksize: items per submitted task.
        timeout: seconds to wait for everything; None waits forever.

    Returns:
        The results in input order.

    Raises:
        ValueError: ``chunksize < 1``.
        TimeoutError: not finished within ``timeout`` (unstarted chunks cancelled).
        Exception: the first exception raised by ``fn`` (unstarted chunks cancelled).
    """
    # TODO: chunk, submit one helper call per chunk, wait(..., FIRST_EXCEPTION), cancel, flatten
    raise NotImplementedError("parallel_map")


def preprocess_image(src: str | Path, dst_dir: str | Path, size: int) -> Path:
    """Write ``src`` as a ``size`` x ``size`` RGB PNG named ``<stem>.png`` into ``dst_dir``.

    Returns:
        The path written.
    """
    # TODO: PIL.Image.open, convert("RGB"), resize((size, size), BILINEAR), save(..., "PNG")
    raise NotImplementedError("preprocess_image")


def preprocess_folder(
    src_dir: str | Path,
    dst_dir: str | Path,
    executor: Executor,
    size: int = 64,
    chunksize: int = 4,
    timeout: float | None = None,
) -> list[Path]:
    """Preprocess every image file of ``src_dir`` (sorted by name) in parallel.

    Returns:
        The written paths, in the sorted order of the source files.
    """
    # TODO: list and sort the image files, mkdir dst_dir, parallel_map a functools.partial
    raise NotImplementedError("preprocess_folder")
