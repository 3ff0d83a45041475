"""Bug: ignore_index samples get loss 0 but still count in the denominator of the mean."""

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
    # the denominator forgets to leave the ignored samples out
    if weight is None:
        return losses.sum() / len(target)
    return losses.sum() / weight[target.clamp(min=0)].sum()
