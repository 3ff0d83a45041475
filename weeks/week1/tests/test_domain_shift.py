"""Tests of week1.domain_shift: split metrics, the studio-to-field gap, and AdaBN.

Oracles: ``F.cross_entropy`` and torchmetrics' ``MulticlassCalibrationError`` for the metrics,
torch's own BatchNorm (``momentum=1`` on one batch gives exactly that batch's statistics) for
AdaBN, and a tiny CNN trained briefly on 32 px studio photos for the real gap.
Run: ``pytest weeks/week1/tests/test_domain_shift.py``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn
from torchmetrics.classification import MulticlassCalibrationError

from grader import differential as diff
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
@pytest.mark.clause("returns-model", "all-batchnorms")
def test_one_batch_gives_exactly_its_statistics(impl: ModuleType) -> None:
    model, x = _net(), _batch(1)
    want = _batch_stats(model, x)
    returned = impl.adapt_batchnorm(model, [x])
    assert returned is model, "adapt_batchnorm should adapt the model in place and return it"
    _assert_stats(_stats(model), want, "the statistics of the single target batch")


@pytest.mark.clause("cumulative")
def test_several_batches_give_the_cumulative_average(impl: ModuleType) -> None:
    model, batches = _net(), [_batch(2), _batch(3)]
    per_batch = [_batch_stats(model, b) for b in batches]
    want = [{k: (a[k] + b[k]) / 2 for k in STATS} for a, b in zip(*per_batch, strict=True)]
    impl.adapt_batchnorm(model, batches)
    _assert_stats(_stats(model), want, "the mean of the two batches' statistics (momentum=None)")


@pytest.mark.clause("bn-only-train")
def test_dropout_stays_off_during_adaptation(impl: ModuleType) -> None:
    model, x = _net(dropout=0.5), _batch(4)
    want = _batch_stats(model, x)  # dropout in eval mode in the reference
    torch.manual_seed(0)
    impl.adapt_batchnorm(model, [x])
    _assert_stats(_stats(model), want, "the batch statistics with dropout switched off")


@pytest.mark.clause("labels-ignored")
def test_labels_in_the_batches_are_ignored(impl: ModuleType) -> None:
    model, x = _net(), _batch(5)
    want = _batch_stats(model, x)
    impl.adapt_batchnorm(model, [(x, torch.zeros(len(x), dtype=torch.long))])
    _assert_stats(_stats(model), want, "the statistics of the images of (images, labels) batches")


@pytest.mark.clause("params-unchanged")
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


@pytest.mark.clause("restore")
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


@pytest.mark.clause("empty")
def test_empty_batches_raise_before_changing_anything(impl: ModuleType) -> None:
    model = _net()
    before = _stats(model)
    with pytest.raises(ValueError):
        impl.adapt_batchnorm(model, [])
        pytest.fail("adapt_batchnorm(model, []) should raise ValueError")
    _assert_stats(_stats(model), before, "the untouched statistics (nothing to adapt on)")


# -- metrics -------------------------------------------------------------------------------------
@pytest.mark.clause("metric-keys", "metrics")
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


@pytest.mark.clause("gap-keys", "gap-signs")
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
def _load_pills() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    def load(split: str, subset: str, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = generate(split, samples_per_class=k, size=32, subset=subset)
        return torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255, torch.from_numpy(y)

    return {
        "train": load("studio", "train", 10),
        "studio": load("studio", "test", 4),
        "field": load("field", "test", 4),
        "field_unlabelled": load("field", "val", 4),
    }


def _train_studio_model(pills: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> nn.Module:
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


@pytest.fixture(scope="module")
def pills() -> Callable[[], dict[str, tuple[torch.Tensor, torch.Tensor]]]:
    """``pills()``: the 32 px studio and field splits, generated on the first call (seconds),
    so that a test can let your function raise NotImplementedError first."""
    return functools.cache(_load_pills)


@pytest.fixture(scope="module")
def studio_model(pills: Callable[[], dict]) -> Callable[[], nn.Module]:
    """``studio_model()``: the tiny CNN trained on the studio photos, on the first call. Its
    training is seeded (``_net(seed=0)`` and its own generator), so when it runs changes
    nothing."""
    return functools.cache(lambda: _train_studio_model(pills()))


@pytest.mark.clause("cumulative", "gap-signs")
def test_adabn_narrows_the_studio_to_field_gap(
    impl: ModuleType, pills: Callable[[], dict], studio_model: Callable[[], nn.Module]
) -> None:
    tiny = (_batch(8, n=4), torch.tensor([0, 1, 2, 3]))
    diff.probe(lambda: impl.domain_gap(_net(), tiny, tiny))  # before seconds of data and training
    data, model = pills(), copy.deepcopy(studio_model())
    before = impl.domain_gap(model, data["studio"], data["field"])
    assert before["gap"]["acc"] > 0.05, (
        f"a model trained on studio photos should be clearly less accurate in the field: studio "
        f"{before['studio']['acc']:.3f}, field {before['field']['acc']:.3f}"
    )
    field_images = data["field_unlabelled"][0]
    impl.adapt_batchnorm(model, [field_images[i : i + 52] for i in range(0, len(field_images), 52)])
    after = impl.split_metrics(model, *data["field"])
    assert after["acc"] >= before["field"]["acc"], (
        f"AdaBN on unlabelled field photos should not lower field accuracy: before "
        f"{before['field']['acc']:.3f}, after {after['acc']:.3f}"
    )


# -- differential: the metrics against the reference ----------------------------------------------
def _ece_candidates(logits: torch.Tensor, labels: torch.Tensor) -> list[float]:
    """ECE values a right answer may give: the reference's binning in float64 or float32, or
    torchmetrics' (they differ only for a confidence exactly on a bin edge, e.g. 1/C)."""
    from rxvision.evaluation.calibration import expected_calibration_error

    c = logits.shape[1]
    return [
        expected_calibration_error(logits.double().softmax(1), labels),
        expected_calibration_error(logits.float().softmax(1), labels),
        float(
            MulticlassCalibrationError(num_classes=c, n_bins=15)(logits.float().softmax(1), labels)
        )
        if c > 1
        else 0.0,
    ]


def _same_metrics(logits: torch.Tensor, labels: torch.Tensor) -> object:
    # float32 cross-entropy loses ~1e-7 of the logits' magnitude; ECE may bin an edge either way
    atol = 1e-5 * (1.0 + float(logits.abs().max()))

    def compare(got: object, want: object) -> str | None:
        if not isinstance(got, dict) or set(got) != {"acc", "nll", "ece"}:
            return f"expected a dict with keys acc, nll, ece, got {diff.describe(got)}"
        for key, value in got.items():
            if type(value) is not float:
                return f"[{key!r}] should be a Python float, got {type(value).__name__}"
        if got["acc"] != pytest.approx(want["acc"], abs=1e-6):  # type: ignore[index]
            return f"acc {got['acc']}, expected {want['acc']}"  # type: ignore[index]
        if got["nll"] != pytest.approx(want["nll"], rel=1e-5, abs=atol):  # type: ignore[index]
            return f"nll {got['nll']}, expected {want['nll']}"  # type: ignore[index]
        eces = _ece_candidates(logits, labels)
        if not any(got["ece"] == pytest.approx(e, abs=1e-5) for e in eces):
            return f"ece {got['ece']}, expected {eces[0]} (15 equal-width confidence bins)"
        return None

    return compare


@st.composite
def _logits_and_labels(draw: st.DrawFn) -> tuple[torch.Tensor, torch.Tensor]:
    n, c = draw(st.integers(1, 12)), draw(st.integers(1, 5))
    x = draw(
        diff.float_arrays(min_dims=1, max_dims=1, min_side=n * c, max_side=n * c, magnitude=300)
    )
    labels = draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))
    # float32, as a model returns: a right answer may compute in float32 or float64
    return torch.from_numpy(np.asarray(x, np.float32).reshape(n, c)), torch.tensor(labels)


@pytest.mark.clause("metrics", "metric-keys")
@given(data=_logits_and_labels(), batch_size=st.sampled_from([1, 3, 256]))
@example(data=(torch.zeros(4, 3), torch.tensor([0, 1, 2, 1])), batch_size=2)
@example(
    data=(torch.tensor([[300.0, -300.0], [-300.0, 300.0]]), torch.tensor([1, 1])), batch_size=1
)
def test_split_metrics_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, data, batch_size: int
) -> None:
    logits, labels = data
    diff.assert_same(
        lambda: impl.split_metrics(nn.Identity(), logits.clone(), labels.clone(), batch_size),
        lambda: reference.split_metrics(nn.Identity(), logits.clone(), labels.clone(), batch_size),
        compare=_same_metrics(logits, labels),
    )


class _Spy(nn.Module):
    """Identity on logits that records each batch's size, mode and whether grad was enabled."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.ones(()))
        self.calls: list[tuple[int, bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((len(x), self.training, torch.is_grad_enabled()))
        return x * self.w if self.training is False else x * 0 + torch.randn_like(x)


def _spy_logits() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(3)
    return torch.randn(10, 4, generator=g), torch.randint(0, 4, (10,), generator=g)


@pytest.mark.clause("batches", "eval-mode", "no-grad", "restore-mode")
@pytest.mark.parametrize("training", [True, False])
def test_split_metrics_batches_in_eval_mode_without_grad(impl: ModuleType, training: bool) -> None:
    spy = _Spy().train(training)
    impl.split_metrics(spy, *_spy_logits(), batch_size=4)
    sizes = [n for n, _, _ in spy.calls]
    assert sizes == [4, 4, 2], f"10 images in batches of 4 should be [4, 4, 2], got {sizes}"
    assert not any(t for _, t, _ in spy.calls), "evaluate in eval mode (model.eval())"
    assert not any(g for _, _, g in spy.calls), "evaluate without gradients (torch.no_grad())"
    assert spy.training is training, (
        f"the model was in {'train' if training else 'eval'} mode and should be restored to it"
    )


@pytest.mark.clause("gap-batch-size", "gap-keys")
def test_domain_gap_passes_batch_size_on(impl: ModuleType) -> None:
    spy = _Spy().eval()
    data = _spy_logits()
    got = impl.domain_gap(spy, data, data, batch_size=3)
    sizes = [n for n, _, _ in spy.calls]
    assert sizes == [3, 3, 3, 1] * 2, f"both splits in batches of 3: [3, 3, 3, 1] each, got {sizes}"
    assert all(got["gap"][k] == pytest.approx(0.0, abs=1e-9) for k in ("acc", "nll", "ece")), (
        f"the same split twice has no gap, got {got['gap']}"
    )


# -- AdaBN: more layers, generators, failures ----------------------------------------------------
def _mixed() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
        nn.Linear(16, 6), nn.BatchNorm1d(6), nn.Dropout(0.5), nn.Linear(6, 3),
    ).eval()  # fmt: skip


def _mixed_batch(seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(8, 3, 6, 6, generator=g) * 2 + 1


def _all_stats(model: nn.Module) -> list[torch.Tensor]:
    return [
        getattr(m, k).clone()
        for m in model.modules()
        if isinstance(m, nn.modules.batchnorm._BatchNorm)
        for k in ("running_mean", "running_var")
    ]


@pytest.mark.clause("all-batchnorms", "cumulative", "bn-only-train", "iterable", "labels-ignored")
def test_adabn_on_batchnorm1d_from_a_generator_matches_torch(impl: ModuleType) -> None:
    batches = [_mixed_batch(1), _mixed_batch(2), _mixed_batch(3)]
    want_model = _mixed()
    norms = [m for m in want_model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None
        bn.train()
    with torch.no_grad():
        for b in batches:
            want_model(b)
    model = _mixed()
    impl.adapt_batchnorm(model, ((b, torch.zeros(8)) for b in batches))
    for i, (g, w) in enumerate(zip(_all_stats(model), _all_stats(want_model), strict=True)):
        assert torch.allclose(g, w, rtol=1e-5, atol=1e-6), (
            f"statistic {i} (BatchNorm2d then BatchNorm1d, mean and var) should be torch's "
            f"cumulative average over the 3 batches of a generator; max difference "
            f"{(g - w).abs().max():.3g}. Adapt every _BatchNorm, iterate the batches once."
        )


@pytest.mark.clause("empty", "iterable")
def test_empty_generator_raises_value_error(impl: ModuleType) -> None:
    model = _mixed()
    before = _all_stats(model)
    with pytest.raises(ValueError):
        impl.adapt_batchnorm(model, (b for b in []))
        pytest.fail("adapt_batchnorm(model, <empty generator>) should raise ValueError")
    names = [f"{layer} {k}" for layer in ("BatchNorm2d", "BatchNorm1d") for k in STATS]
    changed = [
        name
        for name, a, b in zip(names, before, _all_stats(model), strict=True)
        if not torch.equal(a, b)
    ]
    assert not changed, (
        f"adapt_batchnorm(model, <empty generator>) raised ValueError, but only after changing "
        f"{', '.join(changed)}: with no batch there is nothing to adapt on, so raise before "
        "touching any statistics (a generator has no len(): count the batches as they come)"
    )


@pytest.mark.clause("restore", "restore-finally")
def test_modes_and_momenta_are_restored_after_a_failing_batch(impl: ModuleType) -> None:
    model = _mixed()
    model[1].momentum, model[6].momentum = 0.3, 0.05
    model[6].train()
    model[7].train()
    modes = [m.training for m in model.modules()]

    class LoaderBroke(Exception):
        """Not a RuntimeError: the stub's NotImplementedError is one, and must read "not
        started" rather than a wrong message."""

    def batches():
        yield _mixed_batch(1)
        raise LoaderBroke("the loader broke")

    with pytest.raises(LoaderBroke, match="loader broke"):
        impl.adapt_batchnorm(model, batches())
    assert [model[1].momentum, model[6].momentum] == [0.3, 0.05], (
        "momentum must be restored even when a batch raises (a finally block)"
    )
    got = [m.training for m in model.modules()]
    assert got == modes, f"every module's mode must be restored ({modes}), got {got}"
    impl.adapt_batchnorm(model, [_mixed_batch(2)])
    got = [m.training for m in model.modules()]
    assert got == modes, f"a mixed-mode model (some modules training) keeps each mode: {got}"


class _GradSpy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(3)
        self.grad: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.grad.append(torch.is_grad_enabled())
        return self.bn(x)


@pytest.mark.clause("adapt-no-grad", "returns-model")
def test_adaptation_runs_without_gradients(impl: ModuleType) -> None:
    model = _GradSpy().eval()
    out = impl.adapt_batchnorm(model, [torch.randn(5, 3), torch.randn(4, 3)])
    assert out is model, "return the model itself (adapted in place)"
    assert model.grad == [False, False], (
        f"run the batches under torch.no_grad(): grad enabled per batch {model.grad}"
    )
