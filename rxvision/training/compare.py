"""A controlled architecture comparison: same data, optimiser, schedule, steps and batches.

Dosovitskiy et al., "An Image is Worth 16x16 Words", ICLR 2021, https://arxiv.org/abs/2010.11929
(section 4.3) found that a ViT trained on ImageNet alone loses to ResNets of similar size and only
wins when pre-trained on 14-300 M images: a convolution builds in locality and translation
equivariance, which attention has to learn from data. :func:`compare_architectures` measures that
data efficiency on the synthetic pills: every model is trained from scratch on ``n`` studio
training images per class for several ``n``, and evaluated on the studio and field test subsets.

Everything except the architecture is held fixed. For every cell (model, train size):

- the model is built right after ``torch.manual_seed(seed)``;
- AdamW (no weight decay on biases and norms), linear warm-up over the first 10% of the steps then
  cosine decay, ``n_steps`` steps;
- the batches come from a generator seeded with ``seed``, so every model sees the same images in
  the same order; no augmentation;
- evaluation in eval mode under ``no_grad`` on test subsets, which the generator draws from a
  stream disjoint from the training subset's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rxvision.data.preprocess import MEAN, STD
from rxvision.data.synthetic import SPLITS, generate
from rxvision.training.optim import build_optimizer, warmup_cosine_scheduler

__all__ = ["DataFn", "compare_architectures", "count_trainable", "load_synthetic"]

#: ``data(split, subset, per_class, size) -> (uint8 images (N, 3, size, size), int64 labels (N,))``
DataFn = Callable[[str, str, int, int], tuple[Tensor, Tensor]]


def load_synthetic(split: str, subset: str, per_class: int, size: int) -> tuple[Tensor, Tensor]:
    """The default ``data``: synthetic pills (data seed 0) as uint8 ``(N, 3, size, size)`` and
    int64 ``(N,)`` tensors, like :func:`~rxvision.training.recipe.load_split` without its cache
    (and without importing torchvision)."""
    images, labels = generate(split, samples_per_class=per_class, size=size, seed=0, subset=subset)
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels)


def count_trainable(model: nn.Module) -> int:
    """Elements of the parameters that the optimiser updates (``requires_grad``); no buffers."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _normalise(images: Tensor) -> Tensor:
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (images.float() / 255.0 - mean) / std


def _batch_order(n: int, n_steps: int, batch_size: int, seed: int) -> list[Tensor]:
    """``n_steps`` index batches: seeded shuffled passes over ``n`` images, concatenated."""
    generator = torch.Generator().manual_seed(seed)
    passes = math.ceil(n_steps * batch_size / n)
    order = torch.cat([torch.randperm(n, generator=generator) for _ in range(passes)])
    return list(order[: n_steps * batch_size].split(batch_size))


def _train(
    model: nn.Module,
    images: Tensor,
    labels: Tensor,
    *,
    n_steps: int,
    batch_size: int,
    lr: float,
    weight_decay: float,
    seed: int,
) -> None:
    optimizer = build_optimizer(model, "adamw", lr=lr, weight_decay=weight_decay)
    scheduler = warmup_cosine_scheduler(optimizer, n_steps // 10, n_steps)
    model.train()
    for index in _batch_order(len(labels), n_steps, batch_size, seed):
        loss = F.cross_entropy(model(images[index]), labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()


def _accuracy(model: nn.Module, images: Tensor, labels: Tensor, batch_size: int) -> float:
    """Top-1 accuracy over all images (not a mean of per-batch accuracies)."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in zip(images.split(batch_size), labels.split(batch_size), strict=True):
            correct += int((model(x).argmax(dim=1) == y).sum())
    return correct / len(labels)


def compare_architectures(
    models: Mapping[str, Callable[[], nn.Module]],
    train_sizes: Sequence[int],
    *,
    n_steps: int = 100,
    batch_size: int = 32,
    lr: float = 1e-3,
    weight_decay: float = 0.05,
    seed: int = 0,
    image_size: int = 32,
    eval_per_class: int = 20,
    data: DataFn | None = None,
) -> list[dict[str, Any]]:
    """Train every model on every training-set size under one budget; a tidy results table.

    Args:
        models: name -> zero-argument factory returning a fresh classifier of ``image_size``
            images (logits over the classes of ``data``).
        train_sizes: studio training images per class, e.g. ``(5, 20, 80)``.
        n_steps: optimiser steps per cell.
        batch_size: images per training step, and per evaluation batch.
        lr: peak AdamW learning rate (warm-up over ``n_steps // 10`` steps, then cosine to 0).
        weight_decay: AdamW weight decay of the weight matrices.
        seed: seeds each model's initialisation and the batch order.
        image_size: side of the images asked from ``data``.
        eval_per_class: test images per class and split.
        data: ``(split, subset, per_class, size) -> (uint8 (N, 3, size, size), int64 (N,))``;
            :func:`load_synthetic` by default.

    Returns:
        One row per (train size, model), train sizes outer, models in mapping order:
        ``{"model", "train_size", "params", "acc_studio", "acc_field", "train_seconds"}`` with
        accuracies as fractions in ``[0, 1]`` and ``params`` the trainable parameter count.

    Raises:
        ValueError: no models or train sizes, or a size, step, batch or count below 1.
    """
    if not models or not train_sizes:
        raise ValueError("need at least one model and one train size")
    counts = {"n_steps": n_steps, "batch_size": batch_size, "eval_per_class": eval_per_class}
    counts |= {f"train_sizes[{i}]": size for i, size in enumerate(train_sizes)}
    for name, value in counts.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    load = data or load_synthetic
    test_sets = {}
    for split in SPLITS:
        images, labels = load(split, "test", eval_per_class, image_size)
        test_sets[split] = (_normalise(images), labels)

    rows: list[dict[str, Any]] = []
    for train_size in train_sizes:
        images, labels = load("studio", "train", train_size, image_size)
        images = _normalise(images)
        for name, factory in models.items():
            torch.manual_seed(seed)
            model = factory()
            params = count_trainable(model)
            start = time.perf_counter()
            _train(
                model,
                images,
                labels,
                n_steps=n_steps,
                batch_size=batch_size,
                lr=lr,
                weight_decay=weight_decay,
                seed=seed,
            )
            seconds = time.perf_counter() - start
            accuracy = {split: _accuracy(model, *test_sets[split], batch_size) for split in SPLITS}
            rows.append(
                {
                    "model": name,
                    "train_size": train_size,
                    "params": params,
                    "acc_studio": accuracy["studio"],
                    "acc_field": accuracy["field"],
                    "train_seconds": seconds,
                }
            )
    return rows
