"""Bug: focal loss multiplies by (1 - p_t) instead of (1 - p_t) ** gamma (gamma > 0 ignored)."""

import torch.nn.functional as F
from torch import Tensor

from solutions.week1.loss_functions import *  # noqa: F403


def focal_loss(
    logits: Tensor,
    target: Tensor,
    gamma: float = 2.0,
    alpha: Tensor | None = None,
    reduction: str = "mean",
) -> Tensor:
    logp_t = F.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
    factor = 1 - logp_t.exp() if gamma > 0 else 1.0
    loss = -factor * logp_t
    if alpha is not None:
        loss = alpha[target] * loss
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
