"""Uses a plain cosine schedule without warm-up: the first steps run at the full lr."""

from __future__ import annotations

import torch
from torch import nn

from solutions.week1 import transfer_learning
from solutions.week1.capstone_transfer import *  # noqa: F403
from solutions.week1.capstone_transfer import __all__  # noqa: F401


def make_optimizer(
    model: nn.Module,
    *,
    lr: float,
    backbone_lr_scale: float = 0.1,
    warmup_steps: int,
    total_steps: int,
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    groups = transfer_learning.param_groups(model, lr, backbone_lr_scale)
    optimizer = torch.optim.AdamW(groups, weight_decay=0.05)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, total_steps)
    return optimizer, scheduler
