"""Optimisers and learning-rate schedules: weight-decay parameter groups, AdamW / Nesterov SGD,
linear warm-up then cosine decay to a floor.

Weight decay pulls weights towards zero. On biases and normalisation scales/shifts it only hurts
(they set offsets and scales, not feature detectors), so they go in a group without decay, as
timm's ``param_groups_weight_decay`` does. AdamW: Loshchilov and Hutter, "Decoupled Weight Decay
Regularization", ICLR 2019, https://arxiv.org/abs/1711.05101; warm-up + cosine: Goyal et al. 2017
(https://arxiv.org/abs/1706.02677) and Loshchilov and Hutter, SGDR, ICLR 2017.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import torch
from torch import nn
from torch.optim.lr_scheduler import LambdaLR

__all__ = [
    "build_optimizer",
    "param_groups_weight_decay",
    "warmup_cosine",
    "warmup_cosine_scheduler",
]


def param_groups_weight_decay(
    model: nn.Module, weight_decay: float = 0.05, no_weight_decay: Collection[str] = ()
) -> list[dict[str, Any]]:
    """Split the trainable parameters into a no-decay group and a decay group.

    No decay: every parameter with ``ndim <= 1`` (biases, norm weights and biases), every name
    ending in ``.bias``, and every name in ``no_weight_decay``. Groups are
    ``[{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": wd}]`` in
    ``named_parameters`` order, an empty group left out; frozen parameters are skipped.
    """
    skip = set(no_weight_decay)
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1 or name.endswith(".bias") or name in skip:
            no_decay.append(param)
        else:
            decay.append(param)
    groups: list[dict[str, Any]] = []
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    if decay:
        groups.append({"params": decay, "weight_decay": weight_decay})
    return groups


def build_optimizer(
    model: nn.Module,
    name: str = "adamw",
    lr: float = 1e-3,
    weight_decay: float = 0.05,
    momentum: float = 0.9,
    no_weight_decay: Collection[str] = (),
) -> torch.optim.Optimizer:
    """``torch.optim.AdamW`` (``name="adamw"``) or Nesterov ``torch.optim.SGD`` (``"sgd"``) over
    :func:`param_groups_weight_decay` groups. Raises ``ValueError`` for another name."""
    groups = param_groups_weight_decay(model, weight_decay, no_weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(
            groups, lr=lr, momentum=momentum, nesterov=True, weight_decay=weight_decay
        )
    raise ValueError(f"optimizer name must be 'adamw' or 'sgd', got {name!r}")


def warmup_cosine(step: int, warmup_steps: int, total_steps: int, floor: float = 0.0) -> float:
    """Learning-rate factor at ``step`` (0-based): linear warm-up, then cosine decay to ``floor``.

    - ``step < warmup_steps``: ``(step + 1) / warmup_steps`` (the first step already trains);
    - ``warmup_steps <= step < total_steps``: with
      ``progress = (step - warmup_steps) / (total_steps - warmup_steps)``,
      ``floor + (1 - floor) * 0.5 * (1 + cos(pi * progress))`` (1 at the end of the warm-up);
    - ``step >= total_steps``: ``floor``.
    """
    if not 0 <= warmup_steps < total_steps:
        raise ValueError(
            f"need 0 <= warmup_steps < total_steps, got {warmup_steps} and {total_steps}"
        )
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"floor must be in [0, 1], got {floor}")
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step >= total_steps:
        return floor
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def warmup_cosine_scheduler(
    optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int, floor: float = 0.0
) -> LambdaLR:
    """A ``LambdaLR`` applying :func:`warmup_cosine` to every group's initial lr (step it once
    per optimiser step)."""
    warmup_cosine(0, warmup_steps, total_steps, floor)  # validate the arguments now
    return LambdaLR(optimizer, lambda step: warmup_cosine(step, warmup_steps, total_steps, floor))
