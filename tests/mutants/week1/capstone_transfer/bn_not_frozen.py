"""Freezes the backbone by hand (requires_grad only): frozen BatchNorm still updates statistics."""

from __future__ import annotations

from torch import nn

from solutions.week1 import transfer_learning
from solutions.week1.capstone_transfer import *  # noqa: F403
from solutions.week1.capstone_transfer import __all__  # noqa: F401


def prepare_model(model: nn.Module, num_classes: int, *, unfreeze_last: int = 1) -> nn.Module:
    transfer_learning.replace_classifier(model, num_classes)
    stages = transfer_learning.backbone_stages(model)
    for p in model.parameters():
        p.requires_grad_(False)
    for stage in stages[len(stages) - unfreeze_last :]:
        for p in stage.parameters():
            p.requires_grad_(True)
    for p in transfer_learning.get_classifier(model).parameters():
        p.requires_grad_(True)
    return model
