"""Classification and regression losses written from ``log_softmax``: weighted and
label-smoothed cross-entropy, multiclass focal loss, MSE.

Each function follows PyTorch's ``reduction`` semantics (``"mean"``, ``"sum"``, ``"none"``) and
stays finite for logits as large as ``1e4`` (everything goes through ``log_softmax``, never
``log(softmax(x))``).

Focal loss: Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017,
https://arxiv.org/abs/1708.02002
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["cross_entropy", "focal_loss", "mse_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def cross_entropy(
    logits: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Tensor:
    """Cross-entropy of ``(N, K)`` logits and ``(N,)`` class indices, as ``F.cross_entropy``.

    Per sample ``i`` with ``logp = log_softmax(logits)``, ``w`` the class weights (ones when
    ``weight`` is None) and ``eps = label_smoothing``::

        loss_i = (1 - eps) * w[y_i] * -logp[i, y_i] + eps / K * sum_c w[c] * -logp[i, c]

    Samples whose target is ``ignore_index`` get loss 0 and count nowhere. ``"mean"`` divides
    the sum by ``sum_i w[y_i]`` over the kept samples (N kept samples when unweighted).
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    n_classes = logits.shape[1]
    logp = F.log_softmax(logits, dim=1)
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))
    w = logits.new_ones(n_classes) if weight is None else weight.to(logits.dtype)
    w_y = w[safe_target] * keep
    nll = -logp.gather(1, safe_target[:, None]).squeeze(1)
    smooth = -(logp * w).sum(dim=1) / n_classes
    loss = (1 - label_smoothing) * w_y * nll + label_smoothing * smooth * keep
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / w_y.sum()


def focal_loss(
    logits: Tensor,
    target: Tensor,
    gamma: float = 2.0,
    alpha: Tensor | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multiclass focal loss: ``-alpha[y] * (1 - p_t) ** gamma * log p_t``.

    ``p_t`` is the softmax probability of the true class, computed as ``exp(logp_t)`` from
    ``log_softmax``. ``alpha`` is an optional ``(K,)`` tensor of class weights. ``"mean"`` is
    the plain mean over the N samples (as ``torchvision.ops.sigmoid_focal_loss``). With
    ``gamma=0`` and no ``alpha`` this is cross-entropy.
    """
    _check_reduction(reduction)
    logp_t = F.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
    p_t = logp_t.exp()
    loss = -((1 - p_t) ** gamma) * logp_t
    if alpha is not None:
        loss = alpha.to(logits.dtype)[target] * loss
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def mse_loss(prediction: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error ``(prediction - target) ** 2`` over all elements, as ``F.mse_loss``."""
    _check_reduction(reduction)
    if prediction.shape != target.shape:
        raise ValueError(
            f"prediction {tuple(prediction.shape)} and target {tuple(target.shape)} differ"
        )
    loss = (prediction - target) ** 2
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
