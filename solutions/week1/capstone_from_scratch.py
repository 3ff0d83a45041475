"""Reference solution of ``week1.capstone_from_scratch``: the reference pieces wired together."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from solutions.week1 import efficientnet, training_loop, vit

__all__ = ["ARCHS", "MEAN", "STD", "build_model", "make_loader", "train_model"]

ARCHS: tuple[str, ...] = ("efficientnet_b0", "vit_tiny_patch16_224")
MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
STD: tuple[float, float, float] = (0.229, 0.224, 0.225)


def build_model(arch: str, num_classes: int, img_size: int, **kwargs: Any) -> nn.Module:
    """Your EfficientNet-B0 or ViT-Tiny (see the stub)."""
    if arch == "efficientnet_b0":
        if img_size % 32:
            raise ValueError(f"EfficientNet needs an img_size multiple of 32, got {img_size}")
        return efficientnet.efficientnet_b0(num_classes=num_classes, **kwargs)
    if arch == "vit_tiny_patch16_224":
        return vit.vit_tiny_patch16_224(num_classes=num_classes, img_size=img_size, **kwargs)
    raise ValueError(f"unknown arch {arch!r}; expected one of {ARCHS}")


def make_loader(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 0,
) -> list[tuple[Tensor, Tensor]]:
    """Normalised ``(inputs, targets)`` batches (see the stub)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).float() / 255.0
    x = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.int64)
    if shuffle:
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(x)))
        x, y = x[order], y[order]
    return [(x[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(x), batch_size)]


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
    """AdamW and your ``fit`` (see the stub)."""
    torch.manual_seed(seed)
    train_batches = make_loader(*train_data, batch_size, shuffle=True, seed=seed)
    val_batches = make_loader(*val_data, batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    return training_loop.fit(
        model, train_batches, val_batches, optimizer, F.cross_entropy, epochs=epochs, seed=seed
    )
