"""Tests of week1.capstone_transfer: re-head, freeze, discriminative LRs, progressive resizing.

A tiny CNN with timm's layout (``blocks`` stages, ``classifier``) is pre-trained briefly on
32-px studio pills; your wiring module re-heads and freezes it, builds the optimiser and
schedule, and fine-tunes it on field photos with your augmentation and resizing schedule.
Run: ``pytest weeks/week1/tests/test_capstone_transfer.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rxvision.data import CLASS_NAMES, generate

SIZE = 32
NUM_CLASSES = len(CLASS_NAMES)
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
# measured with the reference: field accuracy 0.04 before fine-tuning, 0.14 after (78 photos)
MIN_ACCURACY = 0.09


@contextmanager
def _one_thread() -> Iterator[None]:
    """Train with one thread: small models run faster so on a busy 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _stage(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()
    )


class TinyNet(nn.Module):
    """Three conv stages in ``blocks``, global pooling and a ``classifier`` (timm's layout)."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.blocks = nn.Sequential(_stage(3, 16), _stage(16, 32), _stage(32, 32))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(32, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.blocks(x)).flatten(1))


def _normalise(images: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).float() / 255.0
    return (x - MEAN) / STD


@pytest.fixture(scope="module")
def pretrained() -> nn.Module:
    """TinyNet trained for 60 steps on studio pills (26 classes)."""
    images, labels = generate(split="studio", samples_per_class=6, size=SIZE, seed=0)
    x, y = _normalise(images), torch.from_numpy(labels)
    torch.manual_seed(0)
    model = TinyNet(NUM_CLASSES)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    with _one_thread():
        for _ in range(60):
            index = torch.randint(0, len(x), (64,))
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


# -- 1. prepare_model --------------------------------------------------------------------------
def test_prepare_model_reheads_and_freezes(impl: ModuleType, pretrained: nn.Module) -> None:
    model = copy.deepcopy(pretrained)
    old_head = model.classifier
    out = impl.prepare_model(model, 10, unfreeze_last=1)
    assert out is model, "prepare_model should work in place and return the model"
    assert model.classifier is not old_head and model.classifier.out_features == 10, (
        "prepare_model(model, 10) should give the model a NEW 10-way classifier "
        "(transfer_learning.replace_classifier)"
    )
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    expected = {
        n for n, _ in model.named_parameters() if n.startswith(("blocks.2.", "classifier."))
    }
    assert trainable == expected, (
        "with unfreeze_last=1 only the last stage (blocks.2) and the head should train; "
        f"missing {sorted(expected - trainable)}, unexpected {sorted(trainable - expected)}"
    )
    frozen_bn, last_bn = model.blocks[0][1], model.blocks[2][1]
    before = frozen_bn.running_mean.clone(), last_bn.running_mean.clone()
    model.train()
    x = torch.randn(8, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0)) * 2 + 1
    with torch.no_grad():
        model(x)
    frozen_kept = torch.equal(frozen_bn.running_mean, before[0])
    last_moved = not torch.equal(last_bn.running_mean, before[1])
    assert frozen_kept and last_moved, (
        "in model.train() mode a frozen BatchNorm (blocks.0) must keep its running statistics "
        "and a trainable one (blocks.2) must update them; got blocks.0 kept="
        f"{frozen_kept}, blocks.2 updated={last_moved}. Use transfer_learning.freeze_backbone."
    )


# -- 2. make_optimizer -------------------------------------------------------------------------
def test_make_optimizer_uses_discriminative_lrs_and_warmup(
    impl: ModuleType, pretrained: nn.Module
) -> None:
    model = impl.prepare_model(copy.deepcopy(pretrained), NUM_CLASSES, unfreeze_last=1)
    lr, scale, warmup = 1e-2, 0.1, 4
    optimizer, scheduler = impl.make_optimizer(
        model, lr=lr, backbone_lr_scale=scale, warmup_steps=warmup, total_steps=20
    )
    assert isinstance(optimizer, torch.optim.AdamW), (
        f"the optimiser should be AdamW, got {type(optimizer).__name__}"
    )
    groups = {g.get("name"): g for g in optimizer.param_groups}
    assert set(groups) == {"head", "backbone"}, (
        "the optimiser's groups should be transfer_learning.param_groups' 'head' and "
        f"'backbone', got names {sorted(map(str, groups))}"
    )
    head_ids = {id(p) for p in model.classifier.parameters()}
    assert {id(p) for p in groups["head"]["params"]} == head_ids, "'head' must hold the classifier"
    got = {name: g["lr"] for name, g in groups.items()}
    expected = {"head": lr / warmup, "backbone": lr * scale / warmup}
    assert all(abs(got[k] - v) <= 1e-12 for k, v in expected.items()), (
        f"right after construction the lrs should be the first warm-up step, {expected} (head "
        f"at lr, backbone at lr * backbone_lr_scale, both / warmup_steps), got {got}"
    )
    for _ in range(warmup - 1):
        optimizer.step()
        scheduler.step()
    assert abs(groups["head"]["lr"] - lr) <= 1e-12, (
        f"after the warm-up the head's lr should reach {lr}, got {groups['head']['lr']}"
    )


# -- 3. finetune -------------------------------------------------------------------------------
def test_finetune_resizes_augments_and_improves(
    impl: ModuleType,
    exercise: Any,
    pretrained: nn.Module,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    augmentation = exercise("week1.augmentation")
    requested: list[int] = []
    real = augmentation.train_transforms

    def spy(size: int, *args: Any, **kwargs: Any) -> Any:
        requested.append(size)
        return real(size, *args, **kwargs)

    monkeypatch.setattr(augmentation, "train_transforms", spy)
    train = generate(split="field", samples_per_class=4, size=SIZE, seed=1, subset="train")
    test_x, test_y = generate(split="field", samples_per_class=3, size=SIZE, seed=2, subset="test")
    model = impl.prepare_model(copy.deepcopy(pretrained), NUM_CLASSES, unfreeze_last=1)
    with _one_thread():
        sizes = impl.finetune(model, *train, epochs=4, lr=1e-2, min_size=24, max_size=32)
    schedule = exercise("week1.progressive_resizing").resize_schedule
    expected = [schedule(e, 4, min_size=24, max_size=32) for e in range(4)]
    assert list(sizes) == expected == [24, 24, 24, 32], (
        f"finetune should train epoch e at resize_schedule(e, 4, min_size=24, max_size=32): "
        f"expected {expected}, got {list(sizes)}"
    )
    assert requested == expected, (
        "finetune should build augmentation.train_transforms(size) for every epoch's size "
        f"{expected}; your train_transforms was called with {requested}"
    )
    with torch.no_grad():
        accuracy = (model.eval()(_normalise(test_x)).argmax(1).numpy() == test_y).mean()
    assert accuracy >= MIN_ACCURACY, (
        f"after 4 epochs of fine-tuning the model should classify at least {MIN_ACCURACY:.0%} "
        f"of held-out field photos (chance {1 / NUM_CLASSES:.1%}, the reference 14%), got "
        f"{accuracy:.1%}"
    )
