"""Reference solution of ``week6.parallel_map``: an ordered, chunked, fail-fast parallel map."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Executor, Future, wait
from pathlib import Path
from typing import Any

from PIL import Image

__all__ = ["IMAGE_SUFFIXES", "parallel_map", "preprocess_folder", "preprocess_image"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _apply_chunk(fn: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    """Worker side: ``fn`` on every item of one chunk (module level, so it pickles)."""
    return [fn(item) for item in chunk]


def _cancel(futures: Iterable[Future[Any]]) -> None:
    for future in futures:
        future.cancel()


def parallel_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    executor: Executor,
    chunksize: int = 1,
    timeout: float | None = None,
) -> list[Any]:
    """``[fn(x) for x in items]`` on ``executor``, in chunks, failing fast, within ``timeout``."""
    if chunksize < 1:
        raise ValueError(f"chunksize must be at least 1, got {chunksize}")
    items = list(items)
    chunks = [items[i : i + chunksize] for i in range(0, len(items), chunksize)]
    futures = [executor.submit(_apply_chunk, fn, chunk) for chunk in chunks]
    if not futures:
        return []
    done, pending = wait(futures, timeout=timeout, return_when=FIRST_EXCEPTION)
    failed = [f for f in futures if f in done and f.exception() is not None]
    if failed:
        _cancel(pending)
        raise failed[0].exception()  # type: ignore[misc]
    if pending:
        _cancel(pending)
        raise TimeoutError(
            f"parallel_map: {len(pending)} of {len(futures)} chunks unfinished after {timeout} s"
        )
    return [result for future in futures for result in future.result()]


def preprocess_image(src: str | Path, dst_dir: str | Path, size: int) -> Path:
    """Write ``src`` as a ``size`` x ``size`` RGB PNG named ``<stem>.png`` into ``dst_dir``."""
    src, dst_dir = Path(src), Path(dst_dir)
    dst = dst_dir / f"{src.stem}.png"
    with Image.open(src) as image:
        image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR).save(dst, "PNG")
    return dst


def preprocess_folder(
    src_dir: str | Path,
    dst_dir: str | Path,
    executor: Executor,
    size: int = 64,
    chunksize: int = 4,
    timeout: float | None = None,
) -> list[Path]:
    """Preprocess every image file of ``src_dir`` (sorted by name) in parallel."""
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    dst_dir.mkdir(parents=True, exist_ok=True)
    sources = sorted(
        p for p in src_dir.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )
    job = functools.partial(preprocess_image, dst_dir=dst_dir, size=size)
    return parallel_map(job, sources, executor, chunksize=chunksize, timeout=timeout)
