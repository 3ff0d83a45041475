"""Bug: pairwise_sq_distances computes |a|^2 + |b|^2 - a.b (the cross term lost its factor 2)."""

from torch import Tensor

from solutions.week1.tensor_ops import *  # noqa: F403
from solutions.week1.tensor_ops import __all__  # noqa: F401


def pairwise_sq_distances(a: Tensor, b: Tensor) -> Tensor:
    sq = a.square().sum(1)[:, None] + b.square().sum(1)[None, :] - a @ b.T
    return sq.clamp_min(0)
