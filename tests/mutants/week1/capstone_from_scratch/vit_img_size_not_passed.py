"""Does not pass img_size to the ViT: its position embedding is built for a 224-px grid."""

from __future__ import annotations

from typing import Any

from torch import nn

from solutions.week1 import efficientnet, vit
from solutions.week1.capstone_from_scratch import *  # noqa: F403
from solutions.week1.capstone_from_scratch import ARCHS, MEAN, STD, __all__  # noqa: F401


def build_model(arch: str, num_classes: int, img_size: int, **kwargs: Any) -> nn.Module:
    if arch == "efficientnet_b0":
        if img_size % 32:
            raise ValueError(f"EfficientNet needs an img_size multiple of 32, got {img_size}")
        return efficientnet.efficientnet_b0(num_classes=num_classes, **kwargs)
    if arch == "vit_tiny_patch16_224":
        return vit.vit_tiny_patch16_224(num_classes=num_classes, **kwargs)
    raise ValueError(f"unknown arch {arch!r}; expected one of {ARCHS}")
