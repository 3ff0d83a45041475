"""Tests of week1.vit_vs_cnn: a fair, leak-free, deterministic architecture comparison.

Two kinds of runs:

- a real one: a tiny ViT and a tiny EfficientNet (``rxvision.models``) on 16 px synthetic pills,
  run twice; the oracles are a fresh model's trainable parameter count and the first run's rows;
- a spy one: a fake ``data`` loader whose images carry a tag (split, subset, sample index and
  label, written in pixel ratios that survive any per-channel normalisation) and spy models that
  read the tag, record every forward pass (train or eval mode, gradients on or off, which images)
  and, in eval mode, predict by a fixed rule, so the test knows which accuracy must be reported.

Run: ``pytest weeks/week1/tests/test_vit_vs_cnn.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
import torch
from torch import Tensor, nn

from rxvision.data import CLASS_NAMES
from rxvision.models.efficientnet import EfficientNet
from rxvision.models.vit import VisionTransformer

K = len(CLASS_NAMES)
KEYS = {"model", "train_size", "params", "acc_studio", "acc_field"}


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


def _run_real(impl: ModuleType) -> list[dict[str, Any]]:
    return impl.compare_architectures(REAL_MODELS, REAL_SIZES, eval_per_class=REAL_EVAL, **REAL)


@pytest.fixture(scope="module")
def _cache() -> dict[tuple[str, str], Any]:
    """Runs shared by the tests of this file, per implementation."""
    return {}


@pytest.fixture
def real_rows(impl: ModuleType, _cache: dict[tuple[str, str], Any]) -> list[dict[str, Any]]:
    """The real run, once per implementation."""
    if ("real", impl.__name__) not in _cache:
        _cache["real", impl.__name__] = _run_real(impl)
    return _cache["real", impl.__name__]


def _cells(rows: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows), (
        f"compare_architectures should return a list of dicts, got {type(rows).__name__}"
    )
    missing = [sorted(KEYS - set(r)) for r in rows if not set(r) >= KEYS]
    assert not missing, f"every row needs the keys {sorted(KEYS)}; missing {missing[0]}"
    return {(r["model"], r["train_size"]): r for r in rows}


def test_one_row_per_cell_with_the_schema(real_rows: list[dict[str, Any]]) -> None:
    cells = _cells(real_rows)
    want = {(m, n) for m in REAL_MODELS for n in REAL_SIZES}
    assert set(cells) == want and len(real_rows) == len(want), (
        f"expected one row per (model, train_size): {sorted(want)}; got "
        f"{[(r['model'], r['train_size']) for r in real_rows]}"
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


def test_params_count_the_trainable_parameters(real_rows: list[dict[str, Any]]) -> None:
    for (name, size), row in _cells(real_rows).items():
        model = REAL_MODELS[name]()
        want = sum(p.numel() for p in model.parameters() if p.requires_grad)
        assert row["params"] == want and isinstance(row["params"], int), (
            f"params of ({name}, {size}): a fresh model has {want:,} trainable parameters, the "
            f"row says {row['params']!r}"
        )


def test_same_seed_gives_the_same_table(impl: ModuleType, real_rows: list[dict[str, Any]]) -> None:
    again = _run_real(impl)

    def strip(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "train_seconds"} for r in rows]

    assert strip(again) == strip(real_rows), (
        "two calls with the same arguments returned different rows (train_seconds aside): "
        "seed the initialisation with torch.manual_seed(seed) before each factory() and draw "
        f"the batches from a seeded torch.Generator.\nfirst:  {strip(real_rows)}\n"
        f"second: {strip(again)}"
    )


# -- the spy run -------------------------------------------------------------------------------
SPY = {"n_steps": 5, "batch_size": 7, "lr": 1e-3, "seed": 3, "image_size": 8}
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


def _tagged(split: str, subset: str, per_class: int, size: int) -> tuple[Tensor, Tensor]:
    """Uint8 images whose first row encodes (split, subset), label and sample index."""
    n = per_class * K
    labels = torch.arange(n) % K
    images = torch.full((n, 3, size, size), 128, dtype=torch.uint8)
    row = images[:, :, 0]
    row[:, :, 0] = 0
    row[:, :, 1] = HIGH
    row[:, :, 2] = SUBSET_CODE[(split, subset)]
    row[:, :, 3] = (5 + 9 * labels).view(-1, 1)
    index = torch.arange(n)
    row[:, :, 4] = (index % HIGH).view(-1, 1)
    row[:, :, 5] = (index // HIGH).view(-1, 1)
    return images, labels


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


@dataclass
class SpyLog:
    forwards: list[Forward] = field(default_factory=list)
    loads: list[tuple[str, str, int, int]] = field(default_factory=list)
    built: dict[str, list[nn.Module]] = field(default_factory=dict)
    stale_grads: list[int] = field(default_factory=list)  # instances that accumulated old grads


class _SpyModel(nn.Module):
    """Reads the tags; in eval mode predicts by :func:`_known_correct` (margin 100)."""

    def __init__(self, log: SpyLog, extra: int) -> None:
        super().__init__()
        self.fc = nn.Linear(3, K)
        self.frozen = nn.Parameter(torch.randn(11 + extra), requires_grad=False)
        self.register_buffer("stat", torch.zeros(5))
        self.log = log
        self.init_state = {k: v.clone() for k, v in self.state_dict().items()}
        self._fresh: Tensor | None = None
        self.fc.weight.register_hook(self._on_grad)
        self.fc.weight.register_post_accumulate_grad_hook(self._on_accumulated)

    def _on_grad(self, grad: Tensor) -> None:
        self._fresh = grad.detach().clone()

    def _on_accumulated(self, param: Tensor) -> None:
        if param.grad is not None and not torch.equal(param.grad, self._fresh):
            self.log.stale_grads.append(id(self))

    def forward(self, x: Tensor) -> Tensor:
        images = _decode(x)
        self.log.forwards.append(Forward(id(self), self.training, torch.is_grad_enabled(), images))
        logits = self.fc(x.mean(dim=(2, 3)))
        if not self.training:
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


@pytest.fixture
def spy(impl: ModuleType, _cache: dict[tuple[str, str], Any]) -> SpyRun:
    """The spy run, once per implementation."""
    if ("spy", impl.__name__) in _cache:
        return _cache["spy", impl.__name__]
    log = SpyLog()

    def data(split: str, subset: str, per_class: int, size: int) -> tuple[Tensor, Tensor]:
        log.loads.append((split, subset, per_class, size))
        return _tagged(split, subset, per_class, size)

    rows = impl.compare_architectures(
        _spy_factories(log), SPY_SIZES, eval_per_class=SPY_EVAL, data=data, **SPY
    )
    _cache["spy", impl.__name__] = SpyRun(rows, log)
    return _cache["spy", impl.__name__]


def _instances(run: SpyRun) -> dict[tuple[str, int], nn.Module]:
    """(model name, train size) -> the instance built for it, in call order."""
    out = {}
    for name, built in run.log.built.items():
        assert len(built) == len(SPY_SIZES), (
            f"the factory of {name!r} was called {len(built)} times for {len(SPY_SIZES)} train "
            "sizes: build a fresh model for every (model, train size) cell, never continue "
            "training the model of a smaller size"
        )
        out |= {(name, size): model for size, model in zip(SPY_SIZES, built, strict=True)}
    return out


def _forwards(run: SpyRun, model: nn.Module, training: bool) -> list[Forward]:
    return [f for f in run.log.forwards if f.model == id(model) and f.training == training]


def test_data_requests(spy: SpyRun) -> None:
    size = SPY["image_size"]
    loads = set(spy.log.loads)
    for n in SPY_SIZES:
        assert ("studio", "train", n, size) in loads, (
            f"no training data for train_size={n}: expected a call data('studio', 'train', {n}, "
            f"{size}); calls made: {sorted(loads)}"
        )
    for split in ("studio", "field"):
        assert (split, "test", SPY_EVAL, size) in loads, (
            f"no test data for the {split} split: expected data({split!r}, 'test', "
            f"eval_per_class={SPY_EVAL}, {size}); calls made: {sorted(loads)}"
        )


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
                "'test' subsets, never on training images"
            )
            assert not f.grad_enabled, "evaluate under torch.no_grad(): no graph is needed"


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
            f"passes, expected n_steps={SPY['n_steps']} (one per optimiser step)"
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


def test_gradients_are_zeroed_every_step(spy: SpyRun) -> None:
    assert not spy.log.stale_grads, (
        "after backward() a parameter's .grad held more than this step's gradient: call "
        "optimizer.zero_grad() before every loss.backward()"
    )


def test_every_test_image_is_evaluated_once(spy: SpyRun) -> None:
    for (name, size), model in _instances(spy).items():
        seen = Counter(
            (split, i) for f in _forwards(spy, model, training=False) for split, _, i, _ in f.images
        )
        want = Counter({(s, i): 1 for s in ("studio", "field") for i in range(SPY_EVAL * K)})
        assert seen == want, (
            f"the {name!r} model of train_size={size} should be evaluated on each of the "
            f"{SPY_EVAL * K} test images of both splits exactly once; missing "
            f"{sorted(want - seen)[:4]}, extra {sorted(seen - want)[:4]}"
        )


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


@pytest.mark.parametrize(
    "kwargs",
    [
        {"models": {}, "train_sizes": (1,)},
        {"train_sizes": ()},
        {"train_sizes": (0, 2)},
        {"n_steps": 0},
        {"eval_per_class": 0},
    ],
    ids=["no-models", "no-sizes", "size-0", "steps-0", "eval-0"],
)
def test_rejects_empty_or_nonpositive_budgets(impl: ModuleType, kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"models": _spy_factories(SpyLog()), "train_sizes": SPY_SIZES}
    args |= {"eval_per_class": SPY_EVAL, "data": _tagged, **SPY, **kwargs}
    with pytest.raises(ValueError):
        impl.compare_architectures(args.pop("models"), args.pop("train_sizes"), **args)
