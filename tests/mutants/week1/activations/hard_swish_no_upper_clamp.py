"""Bug: hard_swish uses relu(x + 3) instead of relu6(x + 3), so it grows like x^2 / 6 for x > 3."""

from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401


def hard_swish(x: Tensor) -> Tensor:
    return x * (x + 3).clamp_min(0) / 6
