"""Bug: the batch size scales with the side length, not with the number of pixels."""

import math

from solutions.week1.progressive_resizing import *  # noqa: F403
from solutions.week1.progressive_resizing import __all__  # noqa: F401


def scaled_batch_size(size: int, *, base_size: int, base_batch: int, multiple: int = 8) -> int:
    if size < 1 or base_size < 1 or base_batch < 1:
        raise ValueError("size, base_size and base_batch must be positive")
    batch = base_batch * base_size / size
    return max(multiple, math.floor(batch / multiple) * multiple)
