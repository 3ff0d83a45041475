"""Tests of week1.capstone_uncertainty: preprocessing -> model -> temperature -> MC dropout -> ECE.

A small CNN with dropout is trained (overconfident on purpose) on preprocessed 48-px studio
photos. Your wiring module calibrates it on validation photos and measures it on test photos,
blank trays (in the middle of both sets) and pure-noise photos. The model is handed to you in
training mode and wrapped in a spy that records every forward pass (dropout on or off, gradients
on or off, its logits). Oracles: scipy (the optimal temperature), torchmetrics (ECE) and
scikit-learn (AUROC). Run: ``pytest weeks/week1/tests/test_capstone_uncertainty.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.optimize import minimize_scalar
from sklearn.metrics import roc_auc_score
from torch import nn
from torchmetrics.classification import MulticlassCalibrationError

from grader import differential
from rxvision.data import CLASS_NAMES, generate
from rxvision.data.preprocess import preprocess as reference_preprocess

SIZE = 32  # model input
PHOTO = 48  # photo size
NUM_CLASSES = len(CLASS_NAMES)
MIN_AUROC = 0.8  # measured with the reference: 0.96 (noise vs 52 studio test pills)
NOISE_SAMPLES = 8  # n_samples of the noise run (the pill run uses the default, 20)


@contextmanager
def _one_thread() -> Iterator[None]:
    """Train with one thread: small models run faster so on a busy 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _inputs(photos: np.ndarray) -> torch.Tensor:
    return torch.stack([reference_preprocess(p, SIZE)[0] for p in photos]).float()


def _net() -> nn.Sequential:
    """The CNN with dropout, untrained."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(16 * 8 * 8, NUM_CLASSES),
    )


def _train() -> nn.Module:
    """A small CNN with dropout, trained to over-confidence on preprocessed studio photos."""
    photos, labels = generate(split="studio", samples_per_class=6, size=PHOTO, seed=0)
    x, y = _inputs(photos), torch.from_numpy(labels)
    torch.manual_seed(0)
    net = _net()
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    with _one_thread():
        for _ in range(60):
            index = torch.randint(0, len(x), (64,))
            loss = F.cross_entropy(net(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net.eval()


def _blanks() -> np.ndarray:
    """Two blank trays (no pill: your preprocess raises ValueError on them), a fresh copy."""
    return np.stack([np.full((PHOTO, PHOTO, 3), c, np.uint8) for c in (60, 200)])


def _data() -> dict[str, Any]:
    val = generate(split="studio", samples_per_class=2, size=PHOTO, seed=1, subset="val")
    test = generate(split="studio", samples_per_class=2, size=PHOTO, seed=2, subset="test")
    noise = np.random.default_rng(0).integers(0, 256, (20, PHOTO, PHOTO, 3), dtype=np.uint8)
    return {"val": val, "test": test, "blank": _blanks(), "noise": noise}


@pytest.fixture(scope="module")
def get_model() -> Callable[[], nn.Module]:
    """``get_model()``: the trained CNN, trained on the first call (a second or more), so that a
    test can let your function raise NotImplementedError first. The training seeds itself
    (``torch.manual_seed(0)``): when it runs changes nothing."""
    return functools.cache(_train)


@pytest.fixture(scope="module")
def get_data() -> Callable[[], dict[str, Any]]:
    """``get_data()``: validation and test pills, blank trays and noise photos, made on the first
    call."""
    return functools.cache(_data)


def _with_blanks(
    photos: np.ndarray, labels: np.ndarray, blanks: list[tuple[int, np.ndarray]]
) -> tuple[list[np.ndarray], np.ndarray]:
    """Insert blank trays (with made-up labels) at the given positions of a set."""
    out, out_labels = list(photos), list(labels)
    for position, blank in blanks:
        out.insert(position, blank)
        out_labels.insert(position, (position + 7) % NUM_CLASSES)
    return out, np.asarray(out_labels, dtype=np.int64)


TEST_BLANKS = (5, -1)  # positions of the 2 blank trays among the test photos (-1: the end)
VAL_BLANK = 3  # position of a blank tray among the validation photos


def _test_accepted(n: int) -> list[bool]:
    accepted = [True] * n
    accepted.insert(TEST_BLANKS[0], False)
    accepted.append(False)
    return accepted


class _Call(NamedTuple):
    dropout_on: bool
    grad_enabled: bool
    logits: torch.Tensor


class _Spy(nn.Module):
    """Forwards to the trained net and records every call."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net
        self.calls: list[_Call] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.net(x)
        dropout_on = any(m.training for m in self.net.modules() if isinstance(m, nn.Dropout))
        self.calls.append(_Call(dropout_on, torch.is_grad_enabled(), out.detach().clone()))
        return out


class _Run(NamedTuple):
    report: Any
    spy: _Spy
    calls: list[_Call]
    n_samples: int


@pytest.fixture(scope="module")
def _cache() -> dict[str, Any]:
    return {}


@pytest.fixture
def reports(
    impl: ModuleType,
    get_model: Callable[[], nn.Module],
    get_data: Callable[[], dict[str, Any]],
    _cache: dict[str, Any],
) -> Any:
    """``reports()`` runs ``run_pipeline`` once per impl (in the test, so that an exception of
    yours fails the test): on (test pills + 2 blank trays) and on 20 noise photos. It first
    calls ``run_pipeline`` on two blank trays and an untrained net, so that an untouched stub
    raises before the model is trained."""

    def run(photos: list[np.ndarray], labels: np.ndarray, n_samples: int | None) -> _Run:
        data, model = get_data(), get_model()
        val_photos, val_labels = _with_blanks(*data["val"], [(VAL_BLANK, data["blank"][0])])
        spy = _Spy(model).train()  # handed over in training mode: run_pipeline sets eval
        kwargs = {} if n_samples is None else {"n_samples": n_samples}
        torch.manual_seed(0)
        report = impl.run_pipeline(spy, val_photos, val_labels, photos, labels, size=SIZE, **kwargs)
        model.eval()
        return _Run(report, spy, list(spy.calls), n_samples or 20)

    def get() -> tuple[_Run, _Run]:
        key = impl.__name__
        if key not in _cache:
            blanks, blank_labels = list(_blanks()), np.array([0, 1])
            differential.probe(
                lambda: impl.run_pipeline(
                    _net(), blanks, blank_labels, blanks, blank_labels, size=SIZE
                )
            )
            try:
                data = get_data()
                blank0, blank1 = data["blank"]
                photos, labels = _with_blanks(
                    *data["test"], [(TEST_BLANKS[0], blank0), (len(data["test"][1]) + 1, blank1)]
                )
                noise = list(data["noise"])
                _cache[key] = (
                    run(photos, labels, None),
                    run(noise, np.zeros(len(noise), np.int64), NOISE_SAMPLES),
                )
            except Exception as exc:  # noqa: BLE001 (re-raised in every test that asks)
                _cache[key] = exc
        cached = _cache[key]
        if isinstance(cached, Exception):
            raise cached
        return cached

    return get


def _logits(model: nn.Module, photos: np.ndarray) -> torch.Tensor:
    with torch.no_grad():
        return model.eval()(_inputs(photos)).double()


# -- 1. preprocessing -------------------------------------------------------------------------
@pytest.mark.clause("reject", "inputs", "accepted-mask", "your-preprocess", "your-pieces")
def test_preprocess_photos_uses_your_preprocess_and_rejects_blank_trays(
    impl: ModuleType, exercise: Any, get_data: Callable[[], dict[str, Any]]
) -> None:
    differential.probe(lambda: impl.preprocess_photos(list(_blanks()), SIZE))
    data = get_data()
    pills = list(data["test"][0][:4])
    photos = pills[:2] + [data["blank"][0]] + pills[2:]
    x, accepted = impl.preprocess_photos(photos, SIZE)
    assert isinstance(accepted, torch.Tensor) and accepted.dtype == torch.bool, (
        "preprocess_photos should return the accepted flags as a bool tensor, got "
        f"{type(accepted).__name__} {getattr(accepted, 'dtype', '')}"
    )
    assert [bool(a) for a in accepted] == [True, True, False, True, True], (
        "preprocess_photos should accept the 4 pill photos and reject the blank tray in the "
        "middle (your preprocess raises ValueError on it), got accepted="
        f"{[bool(a) for a in accepted]}"
    )
    assert isinstance(x, torch.Tensor) and x.dtype == torch.float32, (
        f"the inputs should be a float32 tensor, got {type(x).__name__} {getattr(x, 'dtype', '')}"
    )
    assert tuple(x.shape) == (4, 3, SIZE, SIZE), (
        f"preprocess_photos(photos, {SIZE}) should stack the 4 accepted photos into "
        f"(4, 3, {SIZE}, {SIZE}), got {tuple(x.shape)}"
    )
    yours = exercise("week1.preprocessing")
    for i, photo in enumerate(pills):
        expected = yours.preprocess(photo, SIZE)[0]
        diff = (x[i] - expected).abs().max().item()
        assert diff <= 1e-6, (
            f"input {i} should be your week1.preprocessing preprocess(pill {i}, {SIZE}) output "
            f"(the accepted photos, in order); it differs by {diff:.3g}"
        )


@pytest.mark.clause("none-accepted", "reject")
def test_preprocess_photos_without_any_pill_gives_an_empty_batch(impl: ModuleType) -> None:
    x, accepted = impl.preprocess_photos(list(_blanks()), SIZE)
    assert [bool(a) for a in accepted] == [False, False], (
        f"two blank trays should both be rejected, got accepted={[bool(a) for a in accepted]}"
    )
    assert isinstance(x, torch.Tensor) and tuple(x.shape) == (0, 3, SIZE, SIZE), (
        f"with no accepted photo the inputs should be an empty (0, 3, {SIZE}, {SIZE}) tensor, "
        f"got {tuple(getattr(x, 'shape', ()))}"
    )
    assert x.dtype == torch.float32, f"the empty batch should be float32, got {x.dtype}"


# -- 2. the temperature -----------------------------------------------------------------------
@pytest.mark.clause(
    "scaler", "temperature-float", "fit-on-val", "accepted-labels", "eval-logits", "your-pieces"
)
def test_temperature_is_yours_and_fitted_on_validation(
    reports: Any,
    exercise: Any,
    get_model: Callable[[], nn.Module],
    get_data: Callable[[], dict[str, Any]],
) -> None:
    report = reports()[0].report
    model, data = get_model(), get_data()
    yours = exercise("week1.temperature_scaling")
    assert isinstance(report.scaler, yours.TemperatureScaler), (
        f"report.scaler should be your TemperatureScaler ({yours.__name__}), got "
        f"{type(report.scaler).__module__}.{type(report.scaler).__name__}"
    )
    logits = _logits(model, data["val"][0])
    labels = torch.from_numpy(data["val"][1])

    def nll(log_t: float) -> float:
        return F.cross_entropy(logits / np.exp(log_t), labels).item()

    optimum = float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))
    got = report.temperature
    assert isinstance(got, float), (
        f"report.temperature should be a Python float (float(scaler.temperature)), got "
        f"{type(got).__name__}"
    )
    assert abs(got - optimum) <= 0.02 * optimum, (
        f"the temperature should minimise the NLL of the VALIDATION logits (model in eval "
        f"mode, labels of the accepted photos only; the validation set has a blank tray at "
        f"position {VAL_BLANK}): {optimum:.3f} (scipy), got {got:.3f}. Fit TemperatureScaler "
        "on the validation photos only."
    )
    assert abs(float(report.scaler.temperature) - got) <= 1e-6, (
        "report.temperature should be the scaler's temperature"
    )
    x = _inputs(data["test"][0][:4])
    report.scaler.eval()
    with torch.no_grad():
        scaled, raw = report.scaler(x), model.eval()(x)
    diff = (scaled - raw / got).abs().max().item()
    assert diff <= 1e-5, (
        "report.scaler should wrap the model you were given: scaler(x) = model(x) / T in eval "
        f"mode; it differs by {diff:.3g}"
    )


@pytest.mark.clause("eval-logits")
def test_logits_are_computed_in_eval_mode_without_gradients(reports: Any) -> None:
    for run in reports():
        logit_calls = [c for c in run.calls if not c.dropout_on]
        assert logit_calls, (
            "no forward pass of the model ran with dropout off: the model is handed to "
            "run_pipeline in training mode; put it in eval mode (model.eval()) before computing "
            "the validation and test logits"
        )
        with_grad = sum(c.grad_enabled for c in logit_calls)
        assert with_grad == 0, (
            f"{with_grad} of the {len(logit_calls)} eval-mode forward passes ran with gradients "
            "on: compute the logits under torch.no_grad()"
        )


# -- 3. calibration metrics --------------------------------------------------------------------
@pytest.mark.clause("ece-before", "ece-after", "ece-improves", "accepted", "accepted-labels")
def test_ece_before_and_after_scaling(
    reports: Any, get_model: Callable[[], nn.Module], get_data: Callable[[], dict[str, Any]]
) -> None:
    report = reports()[0].report
    model, data = get_model(), get_data()
    n = len(data["test"][1])
    expected_accepted = _test_accepted(n)
    got_accepted = [bool(a) for a in report.accepted]
    assert isinstance(report.accepted, torch.Tensor) and report.accepted.dtype == torch.bool, (
        "report.accepted should be a bool tensor, got "
        f"{type(report.accepted).__name__} {getattr(report.accepted, 'dtype', '')}"
    )
    assert got_accepted == expected_accepted, (
        f"the {n} test pills should be accepted and the 2 blank trays (positions "
        f"{TEST_BLANKS[0]} and {n + 1}) rejected, got rejected positions "
        f"{[i for i, a in enumerate(got_accepted) if not a]} of {len(got_accepted)}"
    )
    logits = _logits(model, data["test"][0])
    labels = torch.from_numpy(data["test"][1])
    metric = MulticlassCalibrationError(num_classes=NUM_CLASSES, n_bins=15, norm="l1")
    before = metric(logits.softmax(1).float(), labels).item()
    metric.reset()
    after = metric((logits / report.temperature).softmax(1).float(), labels).item()
    for name, got, expected in [
        ("ece_before", report.ece_before, before),
        ("ece_after", report.ece_after, after),
    ]:
        assert abs(got - expected) <= 1e-4, (
            f"{name} should be the 15-bin ECE of the accepted test pills with their own labels "
            f"({'softmax(logits / T)' if name == 'ece_after' else 'softmax(logits)'}), "
            f"{expected:.4f} by torchmetrics, got {got:.4f}"
        )
    assert report.ece_after <= report.ece_before, (
        f"temperature scaling should not increase the ECE: {report.ece_before:.4f} -> "
        f"{report.ece_after:.4f}"
    )


# -- 4. MC dropout and out-of-distribution photos -------------------------------------------
@pytest.mark.clause("uncertainty", "mc-dropout", "n-samples", "your-pieces")
def test_mc_dropout_is_yours_and_samples_the_calibrated_model(reports: Any, exercise: Any) -> None:
    yours = exercise("week1.mc_dropout")
    for run, what in zip(reports(), ["test pills", "noise photos"], strict=True):
        result = run.report.uncertainty
        assert isinstance(result, yours.MCDropoutResult), (
            f"report.uncertainty should be your mc_dropout_predict result "
            f"({yours.__name__}.MCDropoutResult), got {type(result).__name__}"
        )
        k = int(run.report.accepted.sum())
        samples = result.samples
        assert tuple(samples.shape) == (run.n_samples, k, NUM_CLASSES), (
            f"run_pipeline(..., n_samples={run.n_samples}) on {what} with {k} accepted photos "
            f"should give samples of shape ({run.n_samples}, {k}, {NUM_CLASSES}) (pass "
            f"n_samples on to mc_dropout_predict), got {tuple(samples.shape)}"
        )
        passes = [c.logits for c in run.calls if c.dropout_on]
        assert len(passes) == run.n_samples, (
            f"mc_dropout_predict should run the model {run.n_samples} times with dropout on "
            f"(on {what}); the model saw {len(passes)} such passes"
        )
        expected = torch.stack(passes).div(run.report.temperature).softmax(dim=-1)
        diff = (samples.detach().to(expected.dtype) - expected).abs().max().item()
        assert diff <= 1e-5, (
            f"each MC sample should be softmax(model(x) / T) with dropout on (on {what}): "
            "run mc_dropout_predict on the fitted scaler, not on the bare model; the samples "
            f"differ from the calibrated passes by {diff:.3g}"
        )


@pytest.mark.clause("mc-samples", "ood-auroc")
def test_mc_dropout_samples_and_entropy_flags_noise(
    reports: Any, get_data: Callable[[], dict[str, Any]]
) -> None:
    pills, noise = (run.report for run in reports())
    data = get_data()
    n = len(data["test"][1])
    samples = pills.uncertainty.samples
    assert tuple(samples.shape) == (20, n, NUM_CLASSES), (
        f"20 MC-dropout passes over {n} accepted pills should give samples of shape "
        f"(20, {n}, {NUM_CLASSES}), got {tuple(samples.shape)}"
    )
    spread = samples.std(dim=0).max().item()
    assert spread > 1e-3, (
        "the MC-dropout passes are identical: dropout is not sampling. Use your "
        "mc_dropout_predict on the scaler, which switches only the dropout layers on."
    )
    scores = np.concatenate([pills.uncertainty.entropy.numpy(), noise.uncertainty.entropy.numpy()])
    is_ood = np.r_[np.zeros(n), np.ones(len(noise.uncertainty.entropy))]
    auroc = roc_auc_score(is_ood, scores)
    assert auroc >= MIN_AUROC, (
        f"predictive entropy should rank pure-noise photos above real pills (AUROC >= "
        f"{MIN_AUROC}; the reference reaches 0.96), got {auroc:.3f}"
    )
