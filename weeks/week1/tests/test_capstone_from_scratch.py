"""Tests of week1.capstone_from_scratch: your EfficientNet and ViT, timm weights, your loop.

Your wiring module builds both architectures from YOUR week-1 modules; timm's models (random
init, ``pretrained=False``) are the oracle: their state dicts must load into yours with
``strict=True`` and give the same outputs. A small ViT is then trained for a few epochs through
YOUR ``training_loop.fit`` on 32-px studio pills. Run:
``pytest weeks/week1/tests/test_capstone_from_scratch.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import timm
import torch
from torch import nn

from rxvision.data import CLASS_NAMES, generate

SIZE = 32
NUM_CLASSES = len(CLASS_NAMES)
SMALL_VIT = {"patch_size": 8, "depth": 2, "embed_dim": 64, "num_heads": 2}
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
# measured with the reference (8 epochs): best validation accuracy 0.40, loss 3.12 -> 1.51;
# images paired with the wrong labels stay at 0.01-0.05.
MIN_ACCURACY = 0.2
MIN_LOSS_DROP = 0.5


@contextmanager
def _one_thread() -> Iterator[None]:
    """Train with one thread: small models run faster so on a busy 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _normalise(images: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).float() / 255.0
    return (x - MEAN) / STD


def _randomize_bn(model: nn.Module, seed: int) -> nn.Module:
    """Random BN statistics and affines, so that the EfficientNet parity is not trivial."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    return model.eval()


def _load_and_compare(ours: nn.Module, theirs: nn.Module, what: str) -> None:
    try:
        ours.load_state_dict(theirs.state_dict(), strict=True)
    except RuntimeError as exc:
        pytest.fail(
            f"{what}: timm's state dict does not load into your model with strict=True. Check "
            f"that build_model passes num_classes, img_size and every keyword argument on.\n{exc}",
            pytrace=False,
        )
    x = torch.randn(3, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got, expected = ours.eval()(x), theirs.eval()(x)
    assert got.shape == expected.shape, (
        f"{what}: output {tuple(got.shape)}, timm's {expected.shape}"
    )
    diff = (got - expected).abs().max().item()
    assert diff <= 1e-5, f"{what}: outputs differ from timm's by {diff:.3g} (tolerance 1e-5)"


# -- 1. build_model -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arch", "piece", "cls"),
    [
        ("vit_tiny_patch16_224", "week1.vit", "VisionTransformer"),
        ("efficientnet_b0", "week1.efficientnet", "EfficientNet"),
    ],
)
def test_build_model_uses_your_module(
    impl: ModuleType, exercise: Any, arch: str, piece: str, cls: str
) -> None:
    kwargs = SMALL_VIT if arch.startswith("vit") else {}
    model = impl.build_model(arch, NUM_CLASSES, SIZE, **kwargs)
    yours = exercise(piece)
    assert isinstance(model, getattr(yours, cls)), (
        f"build_model({arch!r}, ...) should build YOUR {cls} from {piece} ({yours.__name__}), "
        f"got {type(model).__module__}.{type(model).__name__}"
    )


def test_build_model_rejects_bad_arguments(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.build_model("resnet50", NUM_CLASSES, SIZE)
    with pytest.raises(ValueError):
        impl.build_model("efficientnet_b0", NUM_CLASSES, 40)


def test_vit_matches_timm(impl: ModuleType) -> None:
    torch.manual_seed(0)
    theirs = timm.create_model(
        "vit_tiny_patch16_224",
        pretrained=False,
        num_classes=NUM_CLASSES,
        img_size=SIZE,
        **SMALL_VIT,
    )
    ours = impl.build_model("vit_tiny_patch16_224", NUM_CLASSES, SIZE, **SMALL_VIT)
    _load_and_compare(ours, theirs, f"build_model('vit_tiny_patch16_224', 26, 32, **{SMALL_VIT})")


def test_efficientnet_matches_timm(impl: ModuleType) -> None:
    torch.manual_seed(0)
    theirs = _randomize_bn(
        timm.create_model("efficientnet_b0", pretrained=False, num_classes=NUM_CLASSES), seed=1
    )
    ours = impl.build_model("efficientnet_b0", NUM_CLASSES, SIZE)
    _load_and_compare(ours, theirs, "build_model('efficientnet_b0', 26, 32)")


# -- 2. make_loader ---------------------------------------------------------------------------
@pytest.mark.parametrize("shuffle", [False, True])
def test_make_loader_normalises_and_keeps_labels(impl: ModuleType, shuffle: bool) -> None:
    images, labels = generate(split="studio", samples_per_class=2, size=SIZE, seed=3)
    batches = impl.make_loader(images, labels, 16, shuffle=shuffle, seed=0)
    sizes = [len(y) for _, y in batches]
    expected_sizes = [16] * (len(labels) // 16) + [len(labels) % 16]
    assert sizes == expected_sizes, (
        f"make_loader(52 images, batch_size=16) should give batches {expected_sizes}, got {sizes}"
    )
    x = torch.cat([b[0] for b in batches])
    y = torch.cat([b[1] for b in batches])
    assert x.dtype == torch.float32 and y.dtype == torch.int64, (
        f"inputs should be float32 and targets int64, got {x.dtype} and {y.dtype}"
    )
    reference = _normalise(images)
    # match every batch image with the reference image it equals
    distances = torch.cdist(
        x.flatten(1), reference.flatten(1), compute_mode="donot_use_mm_for_euclid_dist"
    )
    nearest = distances.argmin(dim=1)
    gap = distances.min(dim=1).values.max().item()
    assert gap <= 1e-3, (
        "every input should be a photo scaled to [0, 1] and normalised with MEAN and STD; "
        f"the closest reference image is {gap:.3g} away"
    )
    assert sorted(nearest.tolist()) == list(range(len(labels))), (
        "every photo should appear exactly once in the batches"
    )
    wrong = int((y != torch.from_numpy(labels)[nearest]).sum())
    assert wrong == 0, (
        f"{wrong} of {len(labels)} images carry another image's label: permute images and "
        "labels with the SAME permutation"
    )
    in_order = nearest.tolist() == list(range(len(labels)))
    assert in_order != shuffle, (
        "with shuffle=True the order should be a random permutation; with shuffle=False the "
        f"original order (shuffle={shuffle}, order kept: {in_order})"
    )


# -- 3. training through your loop -----------------------------------------------------------
def test_train_model_learns_through_your_fit(
    impl: ModuleType, exercise: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = exercise("week1.training_loop")
    calls: list[dict[str, Any]] = []
    real_fit = loop.fit

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(loop, "fit", spy)
    train = generate(split="studio", samples_per_class=8, size=SIZE, seed=0, subset="train")
    val = generate(split="studio", samples_per_class=3, size=SIZE, seed=1, subset="val")
    torch.manual_seed(0)
    model = impl.build_model("vit_tiny_patch16_224", NUM_CLASSES, SIZE, **SMALL_VIT)
    with _one_thread():
        result = impl.train_model(model, train, val, epochs=8, batch_size=32, lr=3e-3, seed=0)
    assert len(calls) == 1, (
        f"train_model should call your week1.training_loop fit exactly once, it was called "
        f"{len(calls)} times (call it as training_loop.fit(...))"
    )
    assert isinstance(result, loop.FitResult), (
        f"train_model should return fit's FitResult, got {type(result).__name__}"
    )
    first, best = result.history[0].val_loss, result.best_val_loss
    assert best <= first - MIN_LOSS_DROP and best < math.log(NUM_CLASSES), (
        f"the validation loss should fall by at least {MIN_LOSS_DROP} in 8 epochs (the "
        f"reference goes from 3.12 to 1.51), got {first:.3f} -> best {best:.3f}"
    )
    with torch.no_grad():
        accuracy = (model.eval()(_normalise(val[0])).argmax(1).numpy() == val[1]).mean()
    assert accuracy >= MIN_ACCURACY, (
        f"after train_model the ViT should classify at least {MIN_ACCURACY:.0%} of the "
        f"validation pills (chance is {1 / NUM_CLASSES:.1%}, the reference reaches 40%), got "
        f"{accuracy:.1%}. Check that images and labels stay paired and are normalised."
    )
