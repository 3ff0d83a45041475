"""Trains with a hand-written loop instead of the learner's training_loop.fit."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from solutions.week1.capstone_from_scratch import *  # noqa: F403
from solutions.week1.capstone_from_scratch import ARCHS, MEAN, STD, __all__, make_loader  # noqa: F401


def train_model(
    model: nn.Module,
    train_data: tuple[np.ndarray, np.ndarray],
    val_data: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
) -> Any:
    torch.manual_seed(seed)
    train_batches = make_loader(*train_data, batch_size, shuffle=True, seed=seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    model.train()
    for _ in range(epochs):
        for x, y in train_batches:
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return None
