"""Bug: FixRes divides by the ratio, so the test resolution is smaller than the training size."""

from solutions.week1.progressive_resizing import *  # noqa: F403
from solutions.week1.progressive_resizing import __all__  # noqa: F401
from solutions.week1.progressive_resizing import fixres_test_size as _reference


def fixres_test_size(train_size: int, *, ratio: float = 1.15, multiple: int = 8) -> int:
    _reference(train_size, ratio=ratio, multiple=multiple)  # same validation
    return max(multiple, round(train_size / ratio / multiple) * multiple)
