"""Bug: the weighted 'mean' divides by the number of samples N, not by the sum of w[y_i]."""

from torch import Tensor

from solutions.week1.loss_functions import *  # noqa: F403
from solutions.week1.loss_functions import cross_entropy as _reference


def cross_entropy(
    logits: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Tensor:
    losses = _reference(logits, target, weight, label_smoothing, "none", ignore_index)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / (target != ignore_index).sum()
