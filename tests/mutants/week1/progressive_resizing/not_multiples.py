"""Bug: the interpolated sizes are truncated to whole pixels, not rounded down to a multiple."""

import math

from solutions.week1.progressive_resizing import *  # noqa: F403
from solutions.week1.progressive_resizing import __all__  # noqa: F401
from solutions.week1.progressive_resizing import resize_schedule as _reference


def resize_schedule(
    epoch: int,
    epochs: int,
    *,
    min_size: int = 32,
    max_size: int = 64,
    multiple: int = 8,
    final_epochs: int = 1,
) -> int:
    _reference(
        epoch,
        epochs,
        min_size=min_size,
        max_size=max_size,
        multiple=multiple,
        final_epochs=final_epochs,
    )  # same validation
    ramp = epochs - final_epochs
    if epoch >= ramp:
        return max_size
    return math.floor(min_size + (max_size - min_size) * epoch / ramp)
