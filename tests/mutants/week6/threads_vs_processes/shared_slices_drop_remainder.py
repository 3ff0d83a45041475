"""Bug: sum_shared gives every worker len // workers elements and drops the remainder."""

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import shared_memory

import numpy as np

from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import (
    __all__,  # noqa: F401
    _sum_slice,
)


def sum_shared(values: np.ndarray, workers: int = 2) -> float:
    if workers < 1:
        raise ValueError(workers)
    data = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if data.size == 0:
        return 0.0
    block = shared_memory.SharedMemory(create=True, size=data.nbytes)
    try:
        np.ndarray(data.shape, dtype=np.float64, buffer=block.buf)[:] = data
        step = data.size // workers
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = [
                pool.submit(_sum_slice, block.name, data.size, i * step, (i + 1) * step)
                for i in range(workers)
            ]
            return float(sum(p.result() for p in parts))
    finally:
        block.close()
        block.unlink()
