"""Trains every epoch at max_size: the progressive-resizing schedule is never used."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from solutions.week1 import augmentation, training_loop
from solutions.week1.capstone_transfer import *  # noqa: F403
from solutions.week1.capstone_transfer import (
    __all__,  # noqa: F401
    make_optimizer,
)


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
    torch.manual_seed(seed)
    steps = math.ceil(len(images) / batch_size)
    optimizer, scheduler = make_optimizer(
        model, lr=lr, warmup_steps=steps, total_steps=epochs * steps
    )
    y = torch.as_tensor(np.asarray(labels), dtype=torch.int64)
    sizes = []
    transform = augmentation.train_transforms(max_size)
    for _ in range(epochs):
        x = torch.stack([transform(image) for image in images])
        order = torch.randperm(len(x))
        batches = [
            (x[order[i : i + batch_size]], y[order[i : i + batch_size]])
            for i in range(0, len(x), batch_size)
        ]
        training_loop.train_one_epoch(
            model, batches, optimizer, F.cross_entropy, scheduler=scheduler
        )
        sizes.append(max_size)
    return sizes
