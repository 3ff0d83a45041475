"""Freezes the backbone but keeps the pre-trained head (wrong number of classes)."""

from __future__ import annotations

from torch import nn

from solutions.week1 import transfer_learning
from solutions.week1.capstone_transfer import *  # noqa: F403
from solutions.week1.capstone_transfer import __all__  # noqa: F401


def prepare_model(model: nn.Module, num_classes: int, *, unfreeze_last: int = 1) -> nn.Module:
    transfer_learning.freeze_backbone(model, unfreeze_last)
    return model
