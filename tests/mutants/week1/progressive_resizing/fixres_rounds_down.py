"""Bug: FixRes rounds train_size * ratio down to a multiple, which can give the training size."""

import math

from solutions.week1.progressive_resizing import *  # noqa: F403
from solutions.week1.progressive_resizing import __all__  # noqa: F401
from solutions.week1.progressive_resizing import fixres_test_size as _reference


def fixres_test_size(train_size: int, *, ratio: float = 1.15, multiple: int = 8) -> int:
    _reference(train_size, ratio=ratio, multiple=multiple)  # same validation
    return math.floor(train_size * ratio / multiple) * multiple
