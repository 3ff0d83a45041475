"""Tests of week1.domain_shift: split metrics, the studio-to-field gap, and AdaBN.

Oracles: ``F.cross_entropy`` and torchmetrics' ``MulticlassCalibrationError`` for the metrics,
torch's own BatchNorm (``momentum=1`` on one batch gives exactly that batch's statistics) for
AdaBN, and a tiny CNN trained briefly on 32 px studio photos for the real gap.
Run: ``pytest weeks/week1/tests/test_domain_shift.py``.
"""

from __future__ import annotations

import copy
from types import ModuleType

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchmetrics.classification import MulticlassCalibrationError

from rxvision.data import generate

STATS = ("running_mean", "running_var")


def _net(seed: int = 0, dropout: float = 0.0) -> nn.Sequential:
    """A tiny CNN for 32 px images with two BatchNorm layers (and optional dropout between)."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(3, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(dropout),
        nn.Conv2d(12, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(24, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 26),
    ).eval()  # fmt: skip


def _batch(seed: int, n: int = 24, shift: float = 0.7) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 32, 32, generator=g) * 1.5 + shift


def _batch_stats(model: nn.Module, x: torch.Tensor) -> list[dict[str, torch.Tensor]]:
    """Each BN layer's statistics of batch ``x``: a copy with momentum=1, BN in train mode."""
    ref = copy.deepcopy(model).eval()
    norms = [m for m in ref.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in norms:
        bn.momentum = 1.0
        bn.train()
    with torch.no_grad():
        ref(x)
    return [{k: getattr(bn, k).clone() for k in STATS} for bn in norms]


def _stats(model: nn.Module) -> list[dict[str, torch.Tensor]]:
    return [
        {k: getattr(m, k).clone() for k in STATS}
        for m in model.modules()
        if isinstance(m, nn.BatchNorm2d)
    ]  # noqa: E501


def _assert_stats(got: list, want: list, what: str) -> None:
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        for k in STATS:
            assert torch.allclose(g[k], w[k], atol=1e-4, rtol=1e-4), (
                f"BN layer {i} {k} after adapt_batchnorm should equal {what}; max difference "
                f"{(g[k] - w[k]).abs().max():.3g}. Reset the running stats first, set "
                "momentum=None (cumulative average), and keep every non-BN layer (dropout) in "
                "eval mode."
            )


# -- AdaBN against torch's BatchNorm -------------------------------------------------------------
def test_one_batch_gives_exactly_its_statistics(impl: ModuleType) -> None:
    model, x = _net(), _batch(1)
    want = _batch_stats(model, x)
    returned = impl.adapt_batchnorm(model, [x])
    assert returned is model, "adapt_batchnorm should adapt the model in place and return it"
    _assert_stats(_stats(model), want, "the statistics of the single target batch")


def test_several_batches_give_the_cumulative_average(impl: ModuleType) -> None:
    model, batches = _net(), [_batch(2), _batch(3)]
    per_batch = [_batch_stats(model, b) for b in batches]
    want = [{k: (a[k] + b[k]) / 2 for k in STATS} for a, b in zip(*per_batch, strict=True)]
    impl.adapt_batchnorm(model, batches)
    _assert_stats(_stats(model), want, "the mean of the two batches' statistics (momentum=None)")


def test_dropout_stays_off_during_adaptation(impl: ModuleType) -> None:
    model, x = _net(dropout=0.5), _batch(4)
    want = _batch_stats(model, x)  # dropout in eval mode in the reference
    torch.manual_seed(0)
    impl.adapt_batchnorm(model, [x])
    _assert_stats(_stats(model), want, "the batch statistics with dropout switched off")


def test_labels_in_the_batches_are_ignored(impl: ModuleType) -> None:
    model, x = _net(), _batch(5)
    want = _batch_stats(model, x)
    impl.adapt_batchnorm(model, [(x, torch.zeros(len(x), dtype=torch.long))])
    _assert_stats(_stats(model), want, "the statistics of the images of (images, labels) batches")


def test_only_batchnorm_buffers_change(impl: ModuleType) -> None:
    model = _net()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    params = {k: v.clone() for k, v in model.named_parameters()}
    impl.adapt_batchnorm(model, [_batch(6)])
    changed = [k for k, v in model.named_parameters() if not torch.equal(v, params[k])]
    assert not changed, (
        f"AdaBN must not touch any parameter, but {changed} changed: use reset_running_stats() "
        "(statistics only), not reset_parameters(), and no optimizer"
    )


def test_mode_and_momentum_are_restored(impl: ModuleType) -> None:
    model = _net(dropout=0.2)
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    norms[0].momentum = 0.3
    impl.adapt_batchnorm(model, [_batch(7)])
    momenta = [bn.momentum for bn in norms]
    assert momenta == [0.3, 0.1, 0.1], (
        f"every BN momentum should be restored afterwards: want [0.3, 0.1, 0.1], got {momenta}"
    )
    training = [type(m).__name__ for m in model.modules() if m.training]
    assert not training, (
        f"the model was in eval mode and should be back in eval mode, but {training} are in "
        "training mode"
    )


def test_empty_batches_raise_before_changing_anything(impl: ModuleType) -> None:
    model = _net()
    before = _stats(model)
    with pytest.raises(ValueError):
        impl.adapt_batchnorm(model, [])
        pytest.fail("adapt_batchnorm(model, []) should raise ValueError")
    _assert_stats(_stats(model), before, "the untouched statistics (nothing to adapt on)")


# -- metrics -------------------------------------------------------------------------------------
def test_split_metrics_match_the_oracles(impl: ModuleType) -> None:
    g = torch.Generator().manual_seed(0)
    logits = 3 * torch.randn(300, 5, generator=g)
    labels = torch.multinomial((logits / 2).softmax(1), 1, generator=g).squeeze(1)
    got = impl.split_metrics(nn.Identity(), logits, labels, batch_size=64)
    want = {
        "acc": float((logits.argmax(1) == labels).float().mean()),
        "nll": float(F.cross_entropy(logits, labels)),
        "ece": float(
            MulticlassCalibrationError(num_classes=5, n_bins=15)(logits.softmax(1), labels)
        ),
    }
    assert set(got) == set(want), (
        f"split_metrics should return keys {sorted(want)}, got {sorted(got)}"
    )
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-5), (
            f"split_metrics()[{key!r}] should be {value:.5f}, got {got[key]:.5f} (model "
            "nn.Identity(), so the inputs are the logits; ECE with 15 bins)"
        )


def test_domain_gap_layout_and_signs(impl: ModuleType) -> None:
    g = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 4, (200,), generator=g)
    good = F.one_hot(labels, 4).float() * 4 + torch.randn(200, 4, generator=g)
    bad = torch.randn(200, 4, generator=g) * 3
    got = impl.domain_gap(nn.Identity(), (good, labels), (bad, labels))
    assert set(got) == {"studio", "field", "gap"}, f"keys should be studio, field, gap: {set(got)}"
    for key in ("acc", "nll", "ece"):
        s, f = got["studio"][key], got["field"][key]
        want = s - f if key == "acc" else f - s
        assert got["gap"][key] == pytest.approx(want), (
            f"gap[{key!r}] should be {'studio - field' if key == 'acc' else 'field - studio'} = "
            f"{want:.4f}, got {got['gap'][key]:.4f}"
        )
        assert got["gap"][key] > 0, f"the field split is worse here, so gap[{key!r}] should be > 0"


# -- the real gap on synthetic pills -------------------------------------------------------------
@pytest.fixture(scope="module")
def pills() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    def load(split: str, subset: str, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = generate(split, samples_per_class=k, size=32, subset=subset)
        return torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255, torch.from_numpy(y)

    return {
        "train": load("studio", "train", 10),
        "studio": load("studio", "test", 4),
        "field": load("field", "test", 4),
        "field_unlabelled": load("field", "val", 4),
    }


@pytest.fixture(scope="module")
def studio_model(pills: dict) -> nn.Module:
    x, y = pills["train"]
    model = _net(seed=0).train()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(0)
    for _ in range(80):
        idx = torch.randint(0, len(x), (32,), generator=g)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def test_adabn_narrows_the_studio_to_field_gap(
    impl: ModuleType, pills: dict, studio_model: nn.Module
) -> None:
    model = copy.deepcopy(studio_model)
    before = impl.domain_gap(model, pills["studio"], pills["field"])
    assert before["gap"]["acc"] > 0.05, (
        f"a model trained on studio photos should be clearly less accurate in the field: studio "
        f"{before['studio']['acc']:.3f}, field {before['field']['acc']:.3f}"
    )
    field_images = pills["field_unlabelled"][0]
    impl.adapt_batchnorm(model, [field_images[i : i + 52] for i in range(0, len(field_images), 52)])
    after = impl.split_metrics(model, *pills["field"])
    assert after["acc"] >= before["field"]["acc"], (
        f"AdaBN on unlabelled field photos should not lower field accuracy: before "
        f"{before['field']['acc']:.3f}, after {after['acc']:.3f}"
    )
