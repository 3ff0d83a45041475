"""Bug: MSE 'mean' divides the sum by the batch size (rows) instead of by all elements."""

from torch import Tensor

from solutions.week1.loss_functions import *  # noqa: F403
from solutions.week1.loss_functions import mse_loss as _reference


def mse_loss(prediction: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    if reduction == "mean":
        return _reference(prediction, target, "sum") / len(prediction)
    return _reference(prediction, target, reduction)
