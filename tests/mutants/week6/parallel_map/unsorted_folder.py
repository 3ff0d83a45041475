"""Bug: preprocess_folder keeps the directory listing order and only matches lower-case suffixes."""

import functools
from concurrent.futures import Executor
from pathlib import Path

from solutions.week6.parallel_map import *  # noqa: F403
from solutions.week6.parallel_map import (
    __all__,  # noqa: F401
    parallel_map,
    preprocess_image,
)


def preprocess_folder(
    src_dir: str | Path,
    dst_dir: str | Path,
    executor: Executor,
    size: int = 64,
    chunksize: int = 4,
    timeout: float | None = None,
) -> list[Path]:
    Path(dst_dir).mkdir(parents=True, exist_ok=True)
    sources = [p for p in Path(src_dir).iterdir() if p.suffix in (".png", ".jpg", ".jpeg")]
    job = functools.partial(preprocess_image, dst_dir=Path(dst_dir), size=size)
    return parallel_map(job, sources, executor, chunksize=chunksize, timeout=timeout)
