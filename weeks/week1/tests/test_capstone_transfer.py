"""Tests of week1.capstone_transfer: re-head, freeze, discriminative LRs, progressive resizing.

A tiny CNN with timm's layout (``blocks`` stages, ``classifier``) is pre-trained briefly on
32-px studio pills; your wiring module re-heads and freezes it, builds the optimiser and
schedule, and fine-tunes it on field photos with your augmentation and resizing schedule.
Run: ``pytest weeks/week1/tests/test_capstone_transfer.py``.
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from grader import differential as diff
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


@pytest.fixture(autouse=True)
def _single_thread() -> Iterator[None]:
    """Every test here runs small models: one thread each, so they share the machine well."""
    with _one_thread():
        yield


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


def _pretrain() -> nn.Module:
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


@pytest.fixture(scope="module")
def pretrained() -> Callable[[], nn.Module]:
    """``pretrained()``: the pre-trained TinyNet, trained on the first call (a second or more),
    so that a test can let your function raise NotImplementedError first. The training seeds
    itself (``torch.manual_seed(0)``): when it runs changes nothing."""
    return functools.cache(_pretrain)


# -- 1. prepare_model --------------------------------------------------------------------------
@pytest.mark.clause("new-head", "freeze", "frozen-bn", "in-place", "your-pieces")
@pytest.mark.parametrize(
    ("num_classes", "unfreeze_last"), [(10, 1), (NUM_CLASSES, 0), (3, 2), (5, 3)]
)
def test_prepare_model_reheads_and_freezes(
    impl: ModuleType, pretrained: Callable[[], nn.Module], num_classes: int, unfreeze_last: int
) -> None:
    diff.probe(
        lambda: impl.prepare_model(TinyNet(NUM_CLASSES), num_classes, unfreeze_last=unfreeze_last)
    )
    model = copy.deepcopy(pretrained())
    old_head = model.classifier
    call = f"prepare_model(model, {num_classes}, unfreeze_last={unfreeze_last})"
    out = impl.prepare_model(model, num_classes, unfreeze_last=unfreeze_last)
    assert out is model, f"{call} should work in place and return the model itself"
    assert model.classifier is not old_head and model.classifier.out_features == num_classes, (
        f"{call} should give the model a NEW {num_classes}-way classifier, even when the old one "
        "has as many outputs (transfer_learning.replace_classifier)"
    )
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    stages = tuple(f"blocks.{i}." for i in range(3 - unfreeze_last, 3))
    expected = {n for n, _ in model.named_parameters() if n.startswith((*stages, "classifier."))}
    assert trainable == expected, (
        f"{call}: only the last {unfreeze_last} of the 3 stages and the head should train; "
        f"missing {sorted(expected - trainable)}, unexpected {sorted(trainable - expected)}"
    )
    norms = [stage[1] for stage in model.blocks]
    before = [bn.running_mean.clone() for bn in norms]
    model.train()
    x = torch.randn(8, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0)) * 2 + 1
    with torch.no_grad():
        model(x)
    moved = [not torch.equal(bn.running_mean, old) for bn, old in zip(norms, before, strict=True)]
    want = [i >= 3 - unfreeze_last for i in range(3)]
    assert moved == want, (
        f"{call}, then model.train() and a forward pass: a frozen BatchNorm must keep its "
        "running statistics and a trainable one must update them; BatchNorm of blocks.0..2 "
        f"updated: expected {want}, got {moved}. Use transfer_learning.freeze_backbone."
    )


# -- 2. make_optimizer -------------------------------------------------------------------------
@pytest.mark.clause("adamw", "groups", "first-lr", "group-names", "schedule", "returns-pair")
def test_make_optimizer_uses_discriminative_lrs_and_warmup(
    impl: ModuleType, pretrained: Callable[[], nn.Module]
) -> None:
    diff.probe(lambda: impl.prepare_model(TinyNet(NUM_CLASSES), NUM_CLASSES, unfreeze_last=1))
    model = impl.prepare_model(copy.deepcopy(pretrained()), NUM_CLASSES, unfreeze_last=1)
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


# (unfreeze_last, lr, backbone_lr_scale, warmup_steps, total_steps)
OPTIMIZERS = [
    (1, 1e-2, 0.1, 4, 20),
    (0, 3e-3, 0.1, 1, 5),  # only the head trains: no backbone group
    (3, 0.5, 0.0, 2, 3),  # a frozen learning rate for the backbone
    (2, 1e-3, 1.0, 3, 10),
]


def _optimizer_run(
    module: ModuleType, model: nn.Module, config: tuple[int, float, float, int, int]
) -> dict[str, Any]:
    """What ``module.make_optimizer`` builds for a prepared copy of ``model``: the groups by name
    (their parameters' names and weight decay) and every group's lr at each of the
    ``total_steps`` steps of the schedule."""
    _, lr, scale, warmup, total = config
    names = {id(p): n for n, p in model.named_parameters()}
    built = module.make_optimizer(
        model, lr=lr, backbone_lr_scale=scale, warmup_steps=warmup, total_steps=total
    )
    if not (isinstance(built, tuple) and len(built) == 2):
        return {"returned": f"not an (optimizer, scheduler) pair: {diff.describe(built)}"}
    optimizer, scheduler = built
    groups = {
        str(g.get("name")): {
            "params": sorted(names.get(id(p), "?") for p in g["params"]),
            "weight_decay": g["weight_decay"],
        }
        for g in optimizer.param_groups
    }
    lrs = []
    for _ in range(total):
        lrs.append({str(g.get("name")): g["lr"] for g in optimizer.param_groups})
        optimizer.step()
        scheduler.step()
    return {"optimizer": type(optimizer).__name__, "groups": groups, "lr by step": lrs}


@pytest.mark.clause("adamw", "groups", "schedule", "first-lr", "group-names", "returns-pair")
@pytest.mark.parametrize("config", OPTIMIZERS, ids=lambda c: "-".join(map(str, c)))
def test_make_optimizer_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, config: tuple[int, float, float, int, int]
) -> None:
    torch.manual_seed(0)
    base = reference.prepare_model(TinyNet(NUM_CLASSES), NUM_CLASSES, unfreeze_last=config[0])
    want = _optimizer_run(reference, copy.deepcopy(base), config)
    got = _optimizer_run(impl, copy.deepcopy(base), config)
    problem = diff.same(got, want, rtol=1e-9, atol=1e-15, path="optimizer")
    unfreeze_last, lr, scale, warmup, total = config
    assert problem is None, (
        f"make_optimizer(model prepared with unfreeze_last={unfreeze_last}, lr={lr}, "
        f"backbone_lr_scale={scale}, warmup_steps={warmup}, total_steps={total}), stepped "
        f"{total} times: {problem}. Expected AdamW(transfer_learning.param_groups(model, lr, "
        "backbone_lr_scale), weight_decay=0.05) and optim_schedule.warmup_cosine_scheduler("
        "optimizer, warmup_steps, total_steps)."
    )


# -- 3. finetune -------------------------------------------------------------------------------
class _Recorder:
    """Stand-ins for your ``train_transforms`` and ``train_one_epoch`` that train nothing.

    Photo ``i`` is filled with the value ``i``; the stand-in transform turns it into a
    ``(3, size, size)`` tensor filled with ``i`` (and draws no random numbers), so every input in
    a batch says which photo it came from."""

    def __init__(self, signature: inspect.Signature) -> None:
        self.signature = signature
        self.sizes: list[int] = []
        self.applied: list[list[int]] = []
        self.epochs: list[dict[str, Any]] = []

    def train_transforms(self, size: int, *args: Any, **kwargs: Any) -> Any:
        self.sizes.append(size)
        self.applied.append([])
        applied = self.applied[-1]

        def transform(image: Any) -> torch.Tensor:
            index = int(np.asarray(image).reshape(-1)[0])
            applied.append(index)
            return torch.full((3, size, size), float(index))

        return transform

    def train_one_epoch(self, *args: Any, **kwargs: Any) -> float:
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        got = dict(bound.arguments)
        batches = [(x.clone(), y.clone()) for x, y in got["loader"]]
        optimizer, scheduler = got["optimizer"], got["scheduler"]
        lrs = []
        for _ in batches:  # what the real train_one_epoch does to the schedule
            lrs.append({str(g.get("name")): g["lr"] for g in optimizer.param_groups})
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        self.epochs.append({**got, "batches": batches, "lrs": lrs})
        return 0.0


FIT = {"n": 11, "epochs": 4, "batch_size": 4, "lr": 0.02, "min_size": 16, "max_size": 32}


@pytest.mark.clause(
    "your-pieces", "seed", "optimizer", "sizes", "augment", "batches", "train-one-epoch",
    "returns-sizes",
)  # fmt: skip
def test_finetune_wires_the_pieces(
    impl: ModuleType, reference: ModuleType, exercise: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = exercise("week1.training_loop")
    recorder = _Recorder(inspect.signature(loop.train_one_epoch))
    monkeypatch.setattr(
        exercise("week1.augmentation"), "train_transforms", recorder.train_transforms
    )
    monkeypatch.setattr(loop, "train_one_epoch", recorder.train_one_epoch)
    n, epochs, batch_size = FIT["n"], FIT["epochs"], FIT["batch_size"]
    images = np.repeat(np.arange(n, dtype=np.uint8), 8 * 8 * 3).reshape(n, 8, 8, 3)
    labels = (np.arange(n) * 5 + 2) % NUM_CLASSES
    torch.manual_seed(0)
    model = reference.prepare_model(TinyNet(NUM_CLASSES), NUM_CLASSES, unfreeze_last=1)
    reference_model = copy.deepcopy(model)
    torch.randn(3)  # the global generator is anywhere but at a fresh seed
    call = (
        f"finetune(model, {n} photos, epochs={epochs}, batch_size={batch_size}, lr={FIT['lr']}, "
        f"min_size={FIT['min_size']}, max_size={FIT['max_size']}, seed=7)"
    )
    sizes = impl.finetune(
        model, images, labels, epochs=epochs, batch_size=batch_size, lr=FIT["lr"],
        min_size=FIT["min_size"], max_size=FIT["max_size"], seed=7,
    )  # fmt: skip

    schedule = exercise("week1.progressive_resizing").resize_schedule
    expected = [
        schedule(e, epochs, min_size=FIT["min_size"], max_size=FIT["max_size"])
        for e in range(epochs)
    ]
    assert isinstance(sizes, list) and sizes == expected, (
        f"{call} should return the list of the sizes of resize_schedule(e, {epochs}, "
        f"min_size=16, max_size=32), {expected}, got {diff.describe(sizes)}"
    )
    assert recorder.sizes == expected, (
        f"{call} should build augmentation.train_transforms(size) once per epoch, with the "
        f"sizes {expected}; it was called with {recorder.sizes}"
    )
    for epoch, applied in enumerate(recorder.applied):
        assert sorted(applied) == list(range(n)), (
            f"epoch {epoch}: the epoch's transform should be applied to every photo once (a "
            f"fresh augmentation each epoch); it saw photos {sorted(applied)}"
        )
    assert len(recorder.epochs) == epochs, (
        f"{call} should call training_loop.train_one_epoch once per epoch ({epochs} times), "
        f"called it {len(recorder.epochs)} times"
    )

    torch.manual_seed(7)
    orders = [torch.randperm(n) for _ in range(epochs)]
    steps = -(-n // batch_size)
    want_lrs = _optimizer_run(
        reference,
        reference_model,
        (1, FIT["lr"], 0.1, steps, epochs * steps),
    )["lr by step"]
    got_lrs = []
    for epoch, (record, size, order) in enumerate(
        zip(recorder.epochs, expected, orders, strict=True)
    ):
        where = f"{call}, epoch {epoch} (size {size})"
        assert record["model"] is model, f"{where}: train_one_epoch should train the model given"
        batches = record["batches"]
        shapes = [tuple(x.shape) for x, _ in batches]
        want_shapes = [(min(batch_size, n - i), 3, size, size) for i in range(0, n, batch_size)]
        assert shapes == want_shapes, (
            f"{where}: the batches' inputs should be {want_shapes} (batches of {batch_size} of "
            f"the transformed photos, stacked), got {shapes}"
        )
        seen = torch.cat([x[:, 0, 0, 0] for x, _ in batches]).long()
        targets = torch.cat([y for _, y in batches])
        assert torch.equal(targets, torch.as_tensor(labels)[seen]), (
            f"{where}: every photo should keep its label: permute images and labels together"
        )
        assert torch.equal(seen, order), (
            f"{where}: the batch order should be torch.randperm({n}) drawn after "
            f"torch.manual_seed(seed) (one permutation per epoch): expected photos "
            f"{order.tolist()}, got {seen.tolist()}"
        )
        logits = torch.randn(6, NUM_CLASSES, generator=torch.Generator().manual_seed(1)) * 3
        y = torch.tensor([0, 3, 25, 3, 7, 1])
        loss, want_loss = record["loss_fn"](logits, y), F.cross_entropy(logits, y)
        assert abs(float(loss) - float(want_loss)) <= 1e-6, (
            f"{where}: the loss should be torch.nn.functional.cross_entropy: on test logits "
            f"it gives {float(loss):.6f}, cross_entropy {float(want_loss):.6f}"
        )
        assert record["max_grad_norm"] is None, (
            f"{where}: pass only the scheduler to train_one_epoch (max_grad_norm stays None)"
        )
        got_lrs += record["lrs"]
    problem = diff.same(got_lrs, want_lrs, rtol=1e-9, path="lr by step")
    assert problem is None, (
        f"{call}: the learning rates at each step should follow make_optimizer(model, "
        f"lr=lr, warmup_steps={steps}, total_steps={epochs} * {steps}) (steps = ceil(N / "
        f"batch_size) per epoch; train_one_epoch steps the scheduler): {problem}"
    )


@pytest.mark.clause("your-pieces", "sizes", "improves")
def test_finetune_resizes_augments_and_improves(
    impl: ModuleType,
    exercise: Any,
    pretrained: Callable[[], nn.Module],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    diff.probe(lambda: impl.prepare_model(TinyNet(NUM_CLASSES), NUM_CLASSES, unfreeze_last=1))
    augmentation = exercise("week1.augmentation")
    requested: list[int] = []
    real = augmentation.train_transforms

    def spy(size: int, *args: Any, **kwargs: Any) -> Any:
        requested.append(size)
        return real(size, *args, **kwargs)

    monkeypatch.setattr(augmentation, "train_transforms", spy)
    train = generate(split="field", samples_per_class=4, size=SIZE, seed=1, subset="train")
    test_x, test_y = generate(split="field", samples_per_class=3, size=SIZE, seed=2, subset="test")
    model = impl.prepare_model(copy.deepcopy(pretrained()), NUM_CLASSES, unfreeze_last=1)
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
