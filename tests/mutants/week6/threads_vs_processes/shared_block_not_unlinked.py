"""Bug: sum_shared closes the shared memory block but never unlinks it (it leaks in /dev/shm)."""

from multiprocessing import shared_memory

import numpy as np

from solutions.week6 import threads_vs_processes as _solution
from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import __all__  # noqa: F401


def sum_shared(values: np.ndarray, workers: int = 2) -> float:
    original = shared_memory.SharedMemory.unlink
    shared_memory.SharedMemory.unlink = lambda self: None  # type: ignore[method-assign]
    try:
        return _solution.sum_shared(values, workers)
    finally:
        shared_memory.SharedMemory.unlink = original  # type: ignore[method-assign]
