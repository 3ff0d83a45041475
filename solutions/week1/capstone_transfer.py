"""Reference solution of ``week1.capstone_transfer``: the reference pieces wired together."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from solutions.week1 import (
    augmentation,
    optim_schedule,
    progressive_resizing,
    training_loop,
    transfer_learning,
)

__all__ = ["finetune", "make_optimizer", "prepare_model"]


def prepare_model(model: nn.Module, num_classes: int, *, unfreeze_last: int = 1) -> nn.Module:
    """New head, frozen backbone (see the stub)."""
    transfer_learning.replace_classifier(model, num_classes)
    transfer_learning.freeze_backbone(model, unfreeze_last)
    return model


def make_optimizer(
    model: nn.Module,
    *,
    lr: float,
    backbone_lr_scale: float = 0.1,
    warmup_steps: int,
    total_steps: int,
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW over discriminative groups and a warm-up cosine schedule (see the stub)."""
    groups = transfer_learning.param_groups(model, lr, backbone_lr_scale)
    optimizer = torch.optim.AdamW(groups, weight_decay=0.05)
    scheduler = optim_schedule.warmup_cosine_scheduler(optimizer, warmup_steps, total_steps)
    return optimizer, scheduler


def finetune(
    model: nn.Module,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 32,
    lr: float = 3e-3,
    min_size: int = 24,
    max_size: int = 32,
    seed: int = 0,
) -> list[int]:
    """Progressive resizing, augmentation, one epoch at a time (see the stub)."""
    torch.manual_seed(seed)
    steps = math.ceil(len(images) / batch_size)
    optimizer, scheduler = make_optimizer(
        model, lr=lr, warmup_steps=steps, total_steps=epochs * steps
    )
    y = torch.as_tensor(np.asarray(labels), dtype=torch.int64)
    sizes = []
    for epoch in range(epochs):
        size = progressive_resizing.resize_schedule(
            epoch, epochs, min_size=min_size, max_size=max_size
        )
        transform = augmentation.train_transforms(size)
        x = torch.stack([transform(image) for image in images])
        order = torch.randperm(len(x))
        batches = [
            (x[order[i : i + batch_size]], y[order[i : i + batch_size]])
            for i in range(0, len(x), batch_size)
        ]
        training_loop.train_one_epoch(
            model, batches, optimizer, F.cross_entropy, scheduler=scheduler
        )
        sizes.append(size)
    return sizes
