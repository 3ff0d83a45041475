"""Bug: hard_swish returns relu6(x + 3) / 6 (that is hard-sigmoid) without multiplying by x."""

from torch import Tensor

from solutions.week1.activations import *  # noqa: F403
from solutions.week1.activations import __all__  # noqa: F401


def hard_swish(x: Tensor) -> Tensor:
    return (x + 3).clamp(0, 6) / 6
