"""Tests of week1.vit_vs_cnn: a fair, leak-free, deterministic architecture comparison.

Two kinds of runs:

- a spy run (first: it is cheap): a fake ``data`` loader whose images carry a tag (split, subset,
  sample index and label, written in pixel ratios that survive any per-channel normalisation) and
  spy models that read the tag, record every forward pass (train or eval mode, gradients on or
  off, which images, the exact tensor received), check every gradient against cross-entropy's
  and, in eval mode, predict by a fixed rule, so the test knows which accuracy must be reported.
  A global optimiser-step hook records the optimiser, its parameter groups and the learning rate
  of every step;
- a real one: a tiny ViT and a tiny EfficientNet (``rxvision.models``) on 16 px synthetic pills
  (the default ``data``), run twice; the oracles are a fresh model's trainable parameter count,
  the pills rendered by ``rxvision.data.generate`` and the first run's rows.

Run: ``pytest weeks/week1/tests/test_vit_vs_cnn.py``.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch import Tensor, nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

from grader import differential as diff
from rxvision.data import CLASS_NAMES, generate
from rxvision.data.preprocess import MEAN, STD
from rxvision.models.efficientnet import EfficientNet
from rxvision.models.vit import VisionTransformer

K = len(CLASS_NAMES)
KEYS = {"model", "train_size", "params", "acc_studio", "acc_field", "train_seconds"}


def _normalised(images: Tensor) -> Tensor:
    """What the spec says a model receives: ``x.float() / 255`` normalised with ImageNet's
    mean and std."""
    mean = torch.tensor(MEAN, dtype=torch.float64).view(1, 3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float64).view(1, 3, 1, 1)
    return (images.double() / 255.0 - mean) / std


@pytest.fixture(scope="module")
def _cache() -> dict[tuple[str, str], Any]:
    """Runs shared by the tests of this file, per implementation."""
    return {}


def _cells(rows: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows), (
        f"compare_architectures should return a list of dicts, got {type(rows).__name__}"
    )
    missing = [sorted(KEYS - set(r)) for r in rows if not set(r) >= KEYS]
    assert not missing, f"every row needs the keys {sorted(KEYS)}; missing {missing[0]}"
    return {(r["model"], r["train_size"]): r for r in rows}


# -- the spy run -------------------------------------------------------------------------------
SPY = {"n_steps": 12, "batch_size": 7, "lr": 3e-3, "weight_decay": 0.02, "seed": 3, "image_size": 8}
SPY_SIZES = (1, 3)
SPY_EVAL = 3  # 78 test images per split in batches of 7: the last batch holds one image
SUBSET_CODE = {
    ("studio", "train"): 10,
    ("field", "train"): 40,
    ("studio", "val"): 70,
    ("field", "val"): 100,
    ("studio", "test"): 130,
    ("field", "test"): 160,
}
CODE_SUBSET = {code: key for key, code in SUBSET_CODE.items()}
HIGH = 250  # pixel (0, 1); pixel (0, 0) is 0, so (pixel - p00) / (p01 - p00) * HIGH decodes


def _tagged_samples(code: Tensor | int, index: Tensor, size: int) -> Tensor:
    """Uint8 images of the given sample indices, whose first row encodes (split, subset) (its
    :data:`SUBSET_CODE`), label and sample index."""
    labels = index % K
    code = torch.as_tensor(code).expand(len(index))
    images = torch.full((len(index), 3, size, size), 128, dtype=torch.uint8)
    row = images[:, :, 0]
    row[:, :, 0] = 0
    row[:, :, 1] = HIGH
    row[:, :, 2] = code.view(-1, 1)
    row[:, :, 3] = (5 + 9 * labels).view(-1, 1)
    row[:, :, 4] = (index % HIGH).view(-1, 1)
    row[:, :, 5] = (index // HIGH).view(-1, 1)
    return images


def _tagged(split: str, subset: str, per_class: int, size: int) -> tuple[Tensor, Tensor]:
    """The spy ``data``: ``per_class * K`` tagged images, labels ``0, 1, ..., K-1, 0, ...``."""
    index = torch.arange(per_class * K)
    return _tagged_samples(SUBSET_CODE[(split, subset)], index, size), index % K


def _decode(x: Tensor) -> list[tuple[str, str, int, int]]:
    """(split, subset, index, label) of each image of a batch, after any affine normalisation."""
    c = x.detach()[:, 0, 0].double()
    ratio = ((c - c[:, :1]) / (c[:, 1:2] - c[:, :1]) * HIGH).round().long()
    out = []
    for r in ratio.tolist():
        split, subset = CODE_SUBSET.get(r[2], ("?", "?"))
        out.append((split, subset, r[4] + HIGH * r[5], (r[3] - 5) // 9))
    return out


def _known_correct(split: str, label: int) -> bool:
    """The spy models' eval-mode rule: which test images they classify correctly."""
    return label % 2 == 0 if split == "studio" else label % 3 == 0


@dataclass
class Forward:
    model: int  # which instance
    training: bool
    grad_enabled: bool
    images: list[tuple[str, str, int, int]]
    x: Tensor  # the tensor the model received


@dataclass
class Step:
    optimizer: str  # type name
    is_adamw: bool
    groups: list[tuple[float, float, set[int]]]  # (lr, weight_decay, ids of the parameters)


@dataclass
class SpyLog:
    forwards: list[Forward] = field(default_factory=list)
    loads: list[tuple[str, str, int, int]] = field(default_factory=list)
    built: dict[str, list[nn.Module]] = field(default_factory=dict)
    stale_grads: list[int] = field(default_factory=list)  # instances that accumulated old grads
    wrong_grads: list[str] = field(default_factory=list)  # gradients that are not cross-entropy's
    steps: list[Step] = field(default_factory=list)


class _SpyModel(nn.Module):
    """Reads the tags; in eval mode predicts by :func:`_known_correct` (margin 100).

    Built in eval mode, so an implementation that forgets ``model.train()`` trains in eval mode.
    Every gradient of ``fc.weight`` is compared with the gradient of cross-entropy over the
    batch's labels (any positive scale: a mean or a sum).
    """

    def __init__(self, log: SpyLog, extra: int) -> None:
        super().__init__()
        self.fc = nn.Linear(3, K)
        self.frozen = nn.Parameter(torch.randn(11 + extra), requires_grad=False)
        self.register_buffer("stat", torch.zeros(5))
        self.log = log
        self.init_state = {k: v.clone() for k, v in self.state_dict().items()}
        self._fresh: Tensor | None = None
        self._last: tuple[Tensor, Tensor, Tensor] | None = None
        self.fc.weight.register_hook(self._on_grad)
        self.fc.weight.register_post_accumulate_grad_hook(self._on_accumulated)
        self.eval()

    def _on_grad(self, grad: Tensor) -> None:
        self._fresh = grad.detach().clone()
        if self._last is None:
            return
        features, logits, labels = self._last
        probs = logits.double().softmax(dim=1)
        probs[torch.arange(len(labels)), labels] -= 1.0
        want = probs.T @ features.double()
        got = grad.double()
        scale = float((got * want).sum() / (want * want).sum())
        residual = float((got - scale * want).norm())
        if not (scale > 0 and residual <= 1e-4 * float(scale * want.norm()) + 1e-9):
            self.log.wrong_grads.append(
                f"fc.weight.grad = {got.flatten()[:4].tolist()}..., cross-entropy of the batch's "
                f"logits and labels gives {want.flatten()[:4].tolist()}... (up to a positive "
                "scale)"
            )

    def _on_accumulated(self, param: Tensor) -> None:
        if param.grad is not None and not torch.equal(param.grad, self._fresh):
            self.log.stale_grads.append(id(self))

    def forward(self, x: Tensor) -> Tensor:
        images = _decode(x)
        self.log.forwards.append(
            Forward(id(self), self.training, torch.is_grad_enabled(), images, x.detach().clone())
        )
        features = x.mean(dim=(2, 3))
        logits = self.fc(features)
        if self.training:
            labels = torch.tensor([label for _, _, _, label in images]).clamp(0, K - 1)
            self._last = (features.detach(), logits.detach(), labels)
        else:
            known = torch.zeros(len(images), K)
            for i, (split, _, _, label) in enumerate(images):
                guess = label if _known_correct(split, label) else (label + 1) % K
                known[i, guess] = 100.0
            logits = logits + known
        return logits


def _spy_factories(log: SpyLog) -> dict[str, Callable[[], nn.Module]]:
    def factory(name: str, extra: int) -> Callable[[], nn.Module]:
        def build() -> nn.Module:
            model = _SpyModel(log, extra)
            log.built.setdefault(name, []).append(model)
            return model

        return build

    # different random draws at construction: the global generator differs after each factory
    return {"small": factory("small", 0), "big": factory("big", 40)}


@dataclass
class SpyRun:
    rows: list[dict[str, Any]]
    log: SpyLog
    seconds: float  # wall time of the whole call


def _spy_run(impl: ModuleType, sizes: tuple[int, ...], seed: int) -> SpyRun:
    log = SpyLog()

    def data(split: str, subset: str, per_class: int, size: int) -> tuple[Tensor, Tensor]:
        log.loads.append((split, subset, per_class, size))
        return _tagged(split, subset, per_class, size)

    def on_step(optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        groups = [
            (float(g["lr"]), float(g.get("weight_decay", 0.0)), {id(p) for p in g["params"]})
            for g in optimizer.param_groups
        ]
        is_adamw = isinstance(optimizer, torch.optim.AdamW)
        log.steps.append(Step(type(optimizer).__name__, is_adamw, groups))

    handle = register_optimizer_step_pre_hook(on_step)
    start = time.perf_counter()
    try:
        rows = impl.compare_architectures(
            _spy_factories(log), sizes, eval_per_class=SPY_EVAL, data=data, **(SPY | {"seed": seed})
        )
    finally:
        handle.remove()
    return SpyRun(rows, log, time.perf_counter() - start)


@pytest.fixture
def spy(impl: ModuleType, _cache: dict[tuple[str, str], Any]) -> SpyRun:
    """The spy run, once per implementation."""
    if ("spy", impl.__name__) not in _cache:
        _cache["spy", impl.__name__] = _spy_run(impl, SPY_SIZES, SPY["seed"])
    return _cache["spy", impl.__name__]


def _instances(run: SpyRun, sizes: tuple[int, ...] = SPY_SIZES) -> dict[tuple[str, int], nn.Module]:
    """(model name, train size) -> the instance built for it, in call order."""
    out = {}
    for name, built in run.log.built.items():
        assert len(built) == len(sizes), (
            f"the factory of {name!r} was called {len(built)} times for {len(sizes)} train "
            "sizes: build a fresh model for every (model, train size) cell, never continue "
            "training the model of a smaller size"
        )
        out |= {(name, size): model for size, model in zip(sizes, built, strict=True)}
    return out


def _forwards(run: SpyRun, model: nn.Module, training: bool) -> list[Forward]:
    return [f for f in run.log.forwards if f.model == id(model) and f.training == training]


def _steps(run: SpyRun, model: nn.Module) -> list[Step]:
    """The optimiser steps that update this model's ``fc.weight``."""
    return [s for s in run.log.steps if any(id(model.fc.weight) in ids for _, _, ids in s.groups)]


def _group_of(step: Step, param: Tensor) -> tuple[float, float, set[int]]:
    return next(g for g in step.groups if id(param) in g[2])


@pytest.mark.clause("rows", "order")
def test_one_row_per_cell_in_loop_order(spy: SpyRun) -> None:
    _cells(spy.rows)
    got = [(r["train_size"], r["model"]) for r in spy.rows]
    want = [(size, name) for size in SPY_SIZES for name in ("small", "big")]
    assert got == want, (
        "expected one row per (train_size, model), train sizes in the outer loop and models in "
        f"the mapping's order: {want}; got {got}"
    )


@pytest.mark.clause("train-data", "test-data")
def test_data_requests(spy: SpyRun) -> None:
    size = SPY["image_size"]
    loads = Counter(spy.log.loads)
    for n in SPY_SIZES:
        assert loads[("studio", "train", n, size)] == 1, (
            f"train_size={n}: expected exactly one call data('studio', 'train', {n}, {size}) "
            f"(once per train size, shared by every model); calls made: {sorted(loads.items())}"
        )
    for split in ("studio", "field"):
        assert (split, "test", SPY_EVAL, size) in loads, (
            f"no test data for the {split} split: expected data({split!r}, 'test', "
            f"eval_per_class={SPY_EVAL}, {size}); calls made: {sorted(loads)}"
        )


@pytest.mark.clause("no-leak", "eval-mode", "train-steps")
def test_models_never_see_test_images_in_training_and_vice_versa(spy: SpyRun) -> None:
    assert spy.log.forwards, "compare_architectures never called the models"
    for f in spy.log.forwards:
        subsets = {(split, subset) for split, subset, _, _ in f.images}
        if f.training:
            assert subsets <= {("studio", "train")}, (
                f"a model in train mode received images of {sorted(subsets)}: train only on the "
                "studio 'train' subset. If these are test images, you forgot model.eval() "
                "before evaluating."
            )
        else:
            assert subsets <= {(s, t) for s in ("studio", "field") for t in ("val", "test")}, (
                f"a model in eval mode received images of {sorted(subsets)}: evaluate on the "
                "'test' subsets, never on training images. If these are training images, you "
                "forgot model.train() before training (the factory may return a model in eval "
                "mode)."
            )
            assert not f.grad_enabled, "evaluate under torch.no_grad(): no graph is needed"


@pytest.mark.clause("normalise", "as-is")
def test_models_receive_the_normalised_images_as_they_are(spy: SpyRun) -> None:
    size = SPY["image_size"]
    for f in spy.log.forwards:
        assert f.x.dtype == torch.float32 and tuple(f.x.shape[1:]) == (3, size, size), (
            f"a model received a {f.x.dtype} batch of shape {tuple(f.x.shape)}: feed float32 "
            f"images (N, 3, {size}, {size}) at image_size, no resizing"
        )
        codes = torch.tensor([SUBSET_CODE.get((s, t), 0) for s, t, _, _ in f.images])
        index = torch.tensor([i for _, _, i, _ in f.images]).clamp(min=0)
        want = _normalised(_tagged_samples(codes, index, size))
        error = float((f.x.double() - want).abs().max())
        assert error <= 1e-5, (
            f"a model received images that differ by up to {error:.3g} from the data's images "
            "converted with x.float() / 255 and normalised with ImageNet's MEAN and STD "
            "(rxvision.data.preprocess): (x / 255 - MEAN) / STD per channel, no augmentation"
        )


@pytest.mark.clause("fresh-model", "seeded-init", "train-steps", "batch-size")
def test_fresh_seeded_model_for_every_cell(spy: SpyRun) -> None:
    factories = _spy_factories(SpyLog())
    for (name, size), model in _instances(spy).items():
        torch.manual_seed(SPY["seed"])
        want = factories[name]().init_state
        for key, value in model.init_state.items():
            assert torch.equal(value, want[key]), (
                f"the {name!r} model of train_size={size} did not start from the seeded "
                f"initialisation ({key} differs): call torch.manual_seed(seed) right before "
                "every factory() call"
            )
        steps = _forwards(spy, model, training=True)
        assert len(steps) == SPY["n_steps"], (
            f"the {name!r} model of train_size={size} made {len(steps)} training forward "
            f"passes (in train mode), expected n_steps={SPY['n_steps']} (one per optimiser "
            "step); call model.train() before training"
        )
        sizes = Counter(len(f.images) for f in steps)
        assert sizes == Counter({SPY["batch_size"]: SPY["n_steps"]}), (
            f"training batches of the {name!r} model should all hold batch_size="
            f"{SPY['batch_size']} images; sizes seen: {dict(sizes)}"
        )
        n_train = size * K
        outside = [i for f in steps for _, _, i, _ in f.images if i >= n_train]
        assert not outside, (
            f"train_size={size} allows the first {n_train} training images, the model saw "
            f"sample indices {sorted(set(outside))[:5]}"
        )


@pytest.mark.clause("adamw", "train-steps")
def test_adamw_over_the_trainable_parameters(spy: SpyRun) -> None:
    for (name, size), model in _instances(spy).items():
        steps = _steps(spy, model)
        assert len(steps) == SPY["n_steps"], (
            f"the {name!r} model of train_size={size} got {len(steps)} optimiser steps, expected "
            f"n_steps={SPY['n_steps']}"
        )
        kinds = {s.optimizer for s in steps if not s.is_adamw}
        assert not kinds, f"the optimiser should be torch.optim.AdamW, got {sorted(kinds)}"
        for param_name, param in model.named_parameters():
            if param.requires_grad:
                assert all(any(id(param) in ids for _, _, ids in s.groups) for s in steps), (
                    f"the optimiser of the {name!r} model does not update its trainable "
                    f"parameter {param_name}: give AdamW every parameter with requires_grad"
                )
        decays = {_group_of(s, model.fc.weight)[1] for s in steps}
        assert decays == {SPY["weight_decay"]}, (
            f"weight_decay={SPY['weight_decay']} was passed; the AdamW group of the weight "
            f"matrix fc.weight has weight decay {sorted(decays)}"
        )
        peak = max(_group_of(s, model.fc.weight)[0] for s in steps)
        assert math.isclose(peak, SPY["lr"], rel_tol=1e-6), (
            f"lr={SPY['lr']} is the peak learning rate; the optimiser's largest was {peak}"
        )


@pytest.mark.clause("schedule")
def test_the_same_warmup_cosine_schedule_for_every_model(spy: SpyRun) -> None:
    schedules = {
        cell: [_group_of(s, model.fc.weight)[0] for s in _steps(spy, model)]
        for cell, model in _instances(spy).items()
    }
    (first_cell, first), *others = schedules.items()
    for cell, lrs in others:
        assert len(lrs) == len(first) and all(
            math.isclose(a, b, rel_tol=1e-9) for a, b in zip(lrs, first, strict=False)
        ), (
            f"every model must train with the same learning-rate schedule; {cell} used {lrs}, "
            f"{first_cell} used {first}"
        )
    lr, peak = SPY["lr"], max(first)
    top = first.index(peak)
    rises = all(a <= b * (1 + 1e-9) for a, b in zip(first[:top], first[1 : top + 1], strict=True))
    falls = all(a >= b * (1 - 1e-9) for a, b in zip(first[top:], first[top + 1 :], strict=False))
    assert rises and falls and first[-1] <= lr / 2, (
        f"with n_steps={SPY['n_steps']} and lr={lr} the learning rate of each step should warm "
        "up to lr and then decay with a cosine towards 0 over the n_steps steps (step the "
        "scheduler once per optimiser step: warmup_cosine_scheduler(optimizer, n_steps // 10, "
        f"n_steps)); the steps used {[f'{v:.3g}' for v in first]}"
    )


@pytest.mark.clause("same-batches", "batch-size")
def test_every_model_sees_the_same_batches(spy: SpyRun) -> None:
    instances = _instances(spy)
    for size in SPY_SIZES:
        batches = {
            name: [[i for _, _, i, _ in f.images] for f in _forwards(spy, model, training=True)]
            for (name, n), model in instances.items()
            if n == size
        }
        first, second = batches["small"], batches["big"]
        assert first == second, (
            f"with train_size={size} the two models saw different training batches; draw the "
            "order from torch.Generator().manual_seed(seed), not from the global generator "
            f"(the models' initialisations consume it differently).\nsmall: {first}\nbig: {second}"
        )
        seen = {i for b in first for i in b}
        draws = min(size * K, SPY["n_steps"] * SPY["batch_size"])
        assert len(seen) >= draws / 2, (
            f"with train_size={size} the {SPY['n_steps']} training batches of "
            f"{SPY['batch_size']} held only {len(seen)} distinct images out of {size * K}: "
            "shuffle the training images and move on to new ones at every step"
        )


@pytest.mark.clause("seed", "seeded-init")
def test_the_seed_drives_the_initialisation_and_the_batch_order(
    impl: ModuleType, spy: SpyRun, _cache: dict[tuple[str, str], Any]
) -> None:
    other_seed = SPY["seed"] + 1
    if ("spy-seed", impl.__name__) not in _cache:
        _cache["spy-seed", impl.__name__] = _spy_run(impl, SPY_SIZES[:1], other_seed)
    other = _cache["spy-seed", impl.__name__]
    size = SPY_SIZES[0]
    model = _instances(other, SPY_SIZES[:1])[("small", size)]
    torch.manual_seed(other_seed)
    want = _spy_factories(SpyLog())["small"]().init_state
    assert all(torch.equal(v, want[k]) for k, v in model.init_state.items()), (
        f"with seed={other_seed} the model should start from torch.manual_seed({other_seed}) "
        "right before factory(): use the seed argument, not a constant"
    )
    first = [
        [i for _, _, i, _ in f.images]
        for f in _forwards(spy, _instances(spy)[("small", size)], training=True)
    ]
    again = [[i for _, _, i, _ in f.images] for f in _forwards(other, model, training=True)]
    assert first != again, (
        f"seed={SPY['seed']} and seed={other_seed} gave the same training batches: seed the "
        "batch order's generator with the seed argument, torch.Generator().manual_seed(seed)"
    )


@pytest.mark.clause("cross-entropy")
def test_the_loss_is_cross_entropy_on_the_batch_labels(spy: SpyRun) -> None:
    assert not spy.log.wrong_grads, (
        "the training gradient is not that of the cross-entropy of the model's logits and the "
        "batch's labels (F.cross_entropy(model(x[idx]), y[idx])): "
        f"{spy.log.wrong_grads[0]}"
    )


@pytest.mark.clause("zero-grad")
def test_gradients_are_zeroed_every_step(spy: SpyRun) -> None:
    assert not spy.log.stale_grads, (
        "after backward() a parameter's .grad held more than this step's gradient: call "
        "optimizer.zero_grad() before every loss.backward()"
    )


@pytest.mark.clause("test-data", "eval-batches")
def test_every_test_image_is_evaluated_once_in_batches(spy: SpyRun) -> None:
    batch_size = SPY["batch_size"]
    for (name, size), model in _instances(spy).items():
        evals = _forwards(spy, model, training=False)
        seen = Counter((split, i) for f in evals for split, _, i, _ in f.images)
        want = Counter({(s, i): 1 for s in ("studio", "field") for i in range(SPY_EVAL * K)})
        assert seen == want, (
            f"the {name!r} model of train_size={size} should be evaluated on each of the "
            f"{SPY_EVAL * K} test images of both splits exactly once; missing "
            f"{sorted(want - seen)[:4]}, extra {sorted(seen - want)[:4]}"
        )
        sizes = [len(f.images) for f in evals]
        assert max(sizes) <= batch_size and sum(n < batch_size for n in sizes) <= 2, (
            f"evaluate in batches of batch_size={batch_size} (only the last batch of a split "
            f"may be smaller); the {name!r} model of train_size={size} got batches of {sizes}"
        )


@pytest.mark.clause("accuracy", "fractions")
def test_accuracy_counts_correct_images(spy: SpyRun) -> None:
    labels = [i % K for i in range(SPY_EVAL * K)]
    want = {
        f"acc_{split}": sum(_known_correct(split, y) for y in labels) / len(labels)
        for split in ("studio", "field")
    }
    for (name, size), row in _cells(spy.rows).items():
        got = {key: row[key] for key in want}
        assert all(math.isclose(got[k], want[k], abs_tol=1e-9) for k in want), (
            f"({name}, {size}): the spy model classifies exactly {want} of the test images "
            f"correctly (as fractions), the row says {got}. Accuracy is correct images / all "
            f"images of the split, not the mean of per-batch accuracies ({SPY_EVAL * K} images "
            f"in batches of {SPY['batch_size']}: the last batch is smaller), and acc_field "
            "must come from the field split."
        )


@pytest.mark.clause("params")
def test_params_exclude_frozen_parameters_and_buffers(spy: SpyRun) -> None:
    instances = _instances(spy)
    for (name, size), row in _cells(spy.rows).items():
        model = instances[(name, size)]
        want = sum(p.numel() for p in model.parameters() if p.requires_grad)
        everything = sum(t.numel() for t in model.state_dict().values())
        assert row["params"] == want, (
            f"({name}, {size}): params should be {want} (trainable parameters only; the spy "
            f"model also has a frozen parameter and a buffer, {everything} elements in all), "
            f"got {row['params']!r}"
        )


@pytest.mark.clause("train-seconds")
def test_train_seconds_is_the_duration_of_training(spy: SpyRun) -> None:
    seconds = [r["train_seconds"] for r in _cells(spy.rows).values()]
    assert all(isinstance(s, float) and s >= 0.0 for s in seconds), (
        f"train_seconds should be a float number of seconds >= 0 per row, got {seconds}"
    )
    assert sum(seconds) <= spy.seconds, (
        f"the rows' train_seconds add up to {sum(seconds):.3g} s, more than the whole call took "
        f"({spy.seconds:.3g} s): measure the wall time of each cell's training steps, "
        "time.perf_counter() after minus before"
    )


# -- validation --------------------------------------------------------------------------------
def _call(module: ModuleType, models: Any = None, train_sizes: Any = SPY_SIZES, **kwargs: Any):
    args: dict[str, Any] = {"eval_per_class": SPY_EVAL, "data": _tagged, **SPY, **kwargs}
    factories = _spy_factories(SpyLog()) if models is None else models
    return module.compare_architectures(factories, train_sizes, **args)


@pytest.mark.clause("empty")
@pytest.mark.parametrize(
    "kwargs",
    [{"models": {}}, {"train_sizes": ()}, {"train_sizes": []}],
    ids=["no-models", "no-sizes", "empty-list"],
)
def test_rejects_no_models_or_no_sizes(impl: ModuleType, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _call(impl, **kwargs)


@pytest.mark.clause("counts")
@settings(max_examples=12)
@given(
    name=st.sampled_from(["train_size", "n_steps", "batch_size", "eval_per_class"]),
    bad=st.one_of(
        st.integers(-3, 0),
        st.floats(-2.0, 40.0, allow_nan=False),
        st.sampled_from([2.0, 1.5, "2", None]),
    ),
    position=st.integers(0, 2),
)
@example(name="train_size", bad=0, position=0)
@example(name="train_size", bad=-1, position=2)
@example(name="train_size", bad=1.0, position=1)
@example(name="n_steps", bad=0, position=0)
@example(name="batch_size", bad=0, position=0)
@example(name="batch_size", bad=2.5, position=0)
@example(name="eval_per_class", bad=0, position=0)
@example(name="eval_per_class", bad="2", position=0)
def test_rejects_counts_that_are_not_positive_ints(
    impl: ModuleType, reference: ModuleType, name: str, bad: Any, position: int
) -> None:
    if name == "train_size":
        sizes = [1, 2, 1]
        sizes[position] = bad
        kwargs: dict[str, Any] = {"train_sizes": tuple(sizes)}
    else:
        kwargs = {name: bad}

    def bound(module: ModuleType) -> Any:
        def call() -> Any:
            return _call(module, **kwargs)

        shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        call.__qualname__ = f"compare_architectures[{shown}]"
        return call

    diff.assert_same(bound(impl), bound(reference))


# -- the real run ------------------------------------------------------------------------------
REAL = {"n_steps": 6, "batch_size": 8, "lr": 2e-3, "seed": 0, "image_size": 16}
REAL_SIZES = (1, 2)
REAL_EVAL = 2


def _vit() -> nn.Module:
    return VisionTransformer(
        img_size=16, patch_size=8, num_classes=K, embed_dim=32, depth=1, num_heads=2
    )


def _cnn() -> nn.Module:
    return EfficientNet(width_mult=0.25, depth_mult=0.25, num_classes=K)


REAL_MODELS: dict[str, Callable[[], nn.Module]] = {"vit": _vit, "cnn": _cnn}


@dataclass
class RealRun:
    rows: list[dict[str, Any]]
    inputs: list[tuple[str, bool, Tensor]]  # (model name, training, the batch received)


def _run_real(impl: ModuleType) -> RealRun:
    inputs: list[tuple[str, bool, Tensor]] = []

    def recording(name: str, factory: Callable[[], nn.Module]) -> Callable[[], nn.Module]:
        def build() -> nn.Module:
            model = factory()
            model.register_forward_pre_hook(
                lambda m, args: inputs.append((name, m.training, args[0].detach().clone()))
            )
            return model

        return build

    models = {name: recording(name, f) for name, f in REAL_MODELS.items()}
    rows = impl.compare_architectures(models, REAL_SIZES, eval_per_class=REAL_EVAL, **REAL)
    return RealRun(rows, inputs)


@pytest.fixture
def real(impl: ModuleType, _cache: dict[tuple[str, str], Any]) -> RealRun:
    """The real run, once per implementation."""
    if ("real", impl.__name__) not in _cache:
        _cache["real", impl.__name__] = _run_real(impl)
    return _cache["real", impl.__name__]


@pytest.mark.clause("rows", "fractions")
def test_one_row_per_cell_with_the_schema(real: RealRun) -> None:
    cells = _cells(real.rows)
    want = {(m, n) for m in REAL_MODELS for n in REAL_SIZES}
    assert set(cells) == want and len(real.rows) == len(want), (
        f"expected one row per (model, train_size): {sorted(want)}; got "
        f"{[(r['model'], r['train_size']) for r in real.rows]}"
    )
    n_test = K * REAL_EVAL
    for (name, size), row in cells.items():
        for key in ("acc_studio", "acc_field"):
            value = row[key]
            assert isinstance(value, float) and 0.0 <= value <= 1.0, (
                f"{key} of ({name}, {size}) should be a float fraction in [0, 1] (not a "
                f"percentage, not a tensor), got {value!r}"
            )
            assert abs(value * n_test - round(value * n_test)) < 1e-6, (
                f"{key} of ({name}, {size}) = {value} is not (correct images) / {n_test}: with "
                f"eval_per_class={REAL_EVAL} each split has {n_test} test images"
            )


@pytest.mark.clause("params")
def test_params_count_the_trainable_parameters(real: RealRun) -> None:
    for (name, size), row in _cells(real.rows).items():
        model = REAL_MODELS[name]()
        want = sum(p.numel() for p in model.parameters() if p.requires_grad)
        assert row["params"] == want and isinstance(row["params"], int), (
            f"params of ({name}, {size}): a fresh model has {want:,} trainable parameters, the "
            f"row says {row['params']!r}"
        )


def _pills(split: str, subset: str, per_class: int) -> Tensor:
    """The default data, as the spec renders it, normalised."""
    images, _ = generate(split, samples_per_class=per_class, size=16, seed=0, subset=subset)
    return _normalised(torch.from_numpy(images).permute(0, 3, 1, 2))


def _matches(batch: Tensor, pool: Tensor) -> Tensor:
    """For each image of ``batch``, the index of the equal image of ``pool`` (-1: none)."""
    gap = (batch.double().flatten(1)[:, None] - pool.flatten(1)[None]).abs().amax(dim=2)
    best = gap.min(dim=1)
    return torch.where(best.values <= 1e-4, best.indices, -1)


@pytest.mark.clause("default-data", "normalise")
def test_the_default_data_are_the_synthetic_pills(real: RealRun) -> None:
    test_pool = torch.cat([_pills(split, "test", REAL_EVAL) for split in ("studio", "field")])
    train_pool = _pills("studio", "train", max(REAL_SIZES))
    evaluated = torch.cat(
        [x for name, training, x in real.inputs if not training and name == "vit"]
    )
    found = _matches(evaluated, test_pool)
    assert (found >= 0).all() and len(evaluated) == len(REAL_SIZES) * len(test_pool), (
        "with data=None the models should be evaluated on the synthetic pills "
        "rxvision.data.generate(split, samples_per_class=eval_per_class, size=image_size, "
        "seed=0, subset='test') for both splits, (N, H, W, 3) permuted to (N, 3, H, W), as "
        f"x.float() / 255 normalised with MEAN and STD; {int((found < 0).sum())} of the "
        f"{len(evaluated)} evaluated images are none of them"
    )
    assert set(found.tolist()) == set(range(len(test_pool))), (
        "some default test images were never evaluated"
    )
    trained = torch.cat([x for name, training, x in real.inputs if training])
    found = _matches(trained, train_pool)
    assert (found >= 0).all(), (
        "with data=None the models should train on the synthetic pills rendered by "
        "rxvision.data.generate('studio', samples_per_class=train_size, size=image_size, "
        "seed=0, subset='train'), normalised; "
        f"{int((found < 0).sum())} of {len(trained)} training images are none of them"
    )


@pytest.mark.clause("deterministic")
def test_same_seed_gives_the_same_table(impl: ModuleType, real: RealRun) -> None:
    again = _run_real(impl).rows

    def strip(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "train_seconds"} for r in rows]

    assert strip(again) == strip(real.rows), (
        "two calls with the same arguments returned different rows (train_seconds aside): "
        "seed the initialisation with torch.manual_seed(seed) before each factory() and draw "
        f"the batches from a seeded torch.Generator.\nfirst:  {strip(real.rows)}\n"
        f"second: {strip(again)}"
    )
