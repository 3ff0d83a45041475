"""Builds timm's models instead of the learner's own EfficientNet and ViT."""

from __future__ import annotations

from typing import Any

import timm
from torch import nn

from solutions.week1.capstone_from_scratch import *  # noqa: F403
from solutions.week1.capstone_from_scratch import ARCHS, MEAN, STD, __all__  # noqa: F401


def build_model(arch: str, num_classes: int, img_size: int, **kwargs: Any) -> nn.Module:
    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; expected one of {ARCHS}")
    if arch == "efficientnet_b0":
        if img_size % 32:
            raise ValueError(f"EfficientNet needs an img_size multiple of 32, got {img_size}")
        return timm.create_model(arch, pretrained=False, num_classes=num_classes, **kwargs)
    return timm.create_model(
        arch, pretrained=False, num_classes=num_classes, img_size=img_size, **kwargs
    )
