"""Tests of week1.capstone_uncertainty: preprocessing -> model -> temperature -> MC dropout -> ECE.

A small CNN with dropout is trained (overconfident on purpose) on preprocessed 48-px studio
photos. Your wiring module calibrates it on validation photos and measures it on test photos,
blank trays and pure-noise photos. Oracles: scipy (the optimal temperature), torchmetrics (ECE)
and scikit-learn (AUROC). Run: ``pytest weeks/week1/tests/test_capstone_uncertainty.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.optimize import minimize_scalar
from sklearn.metrics import roc_auc_score
from torch import nn
from torchmetrics.classification import MulticlassCalibrationError

from rxvision.data import CLASS_NAMES, generate
from rxvision.data.preprocess import preprocess as reference_preprocess

SIZE = 32  # model input
PHOTO = 48  # photo size
NUM_CLASSES = len(CLASS_NAMES)
MIN_AUROC = 0.8  # measured with the reference: 0.96 (noise vs 52 studio test pills)


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


@pytest.fixture(scope="module")
def model() -> nn.Module:
    """A small CNN with dropout, trained to over-confidence on preprocessed studio photos."""
    photos, labels = generate(split="studio", samples_per_class=6, size=PHOTO, seed=0)
    x, y = _inputs(photos), torch.from_numpy(labels)
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 16, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(16 * 8 * 8, NUM_CLASSES),
    )
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    with _one_thread():
        for _ in range(60):
            index = torch.randint(0, len(x), (64,))
            loss = F.cross_entropy(net(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net.eval()


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    val = generate(split="studio", samples_per_class=2, size=PHOTO, seed=1, subset="val")
    test = generate(split="studio", samples_per_class=2, size=PHOTO, seed=2, subset="test")
    blank = np.stack([np.full((PHOTO, PHOTO, 3), c, np.uint8) for c in (60, 200)])
    noise = np.random.default_rng(0).integers(0, 256, (20, PHOTO, PHOTO, 3), dtype=np.uint8)
    return {"val": val, "test": test, "blank": blank, "noise": noise}


@pytest.fixture(scope="module")
def _cache() -> dict[str, Any]:
    return {}


@pytest.fixture
def reports(
    impl: ModuleType, model: nn.Module, data: dict[str, Any], _cache: dict[str, Any]
) -> tuple[Any, Any]:
    """``run_pipeline`` on (test pills + 2 blank trays) and on 20 noise photos, once per impl."""
    if impl.__name__ not in _cache:
        (val_x, val_y), (test_x, test_y) = data["val"], data["test"]
        photos = list(test_x) + list(data["blank"])
        labels = np.concatenate([test_y, np.zeros(2, np.int64)])
        torch.manual_seed(0)
        pills = impl.run_pipeline(model, list(val_x), val_y, photos, labels, size=SIZE)
        noise = impl.run_pipeline(
            model, list(val_x), val_y, list(data["noise"]), np.zeros(20, np.int64), size=SIZE
        )
        _cache[impl.__name__] = (pills, noise)
    return _cache[impl.__name__]


def _logits(model: nn.Module, photos: np.ndarray) -> torch.Tensor:
    with torch.no_grad():
        return model.eval()(_inputs(photos)).double()


# -- 1. preprocessing -------------------------------------------------------------------------
def test_preprocess_photos_uses_your_preprocess_and_rejects_blank_trays(
    impl: ModuleType, exercise: Any, data: dict[str, Any]
) -> None:
    photos = list(data["test"][0][:4]) + [data["blank"][0]]
    x, accepted = impl.preprocess_photos(photos, SIZE)
    assert [bool(a) for a in accepted] == [True, True, True, True, False], (
        "preprocess_photos should accept the 4 pill photos and reject the blank tray (your "
        f"preprocess raises ValueError on it), got accepted={[bool(a) for a in accepted]}"
    )
    assert tuple(x.shape) == (4, 3, SIZE, SIZE), (
        f"preprocess_photos(photos, {SIZE}) should stack the accepted photos into "
        f"(4, 3, {SIZE}, {SIZE}), got {tuple(x.shape)}"
    )
    yours = exercise("week1.preprocessing")
    for i, photo in enumerate(photos[:4]):
        expected = yours.preprocess(photo, SIZE)[0]
        diff = (x[i] - expected).abs().max().item()
        assert diff <= 1e-6, (
            f"input {i} should be your week1.preprocessing preprocess(photo, {SIZE}) output; "
            f"it differs by {diff:.3g}"
        )


# -- 2. the temperature -----------------------------------------------------------------------
def test_temperature_is_yours_and_fitted_on_validation(
    reports: tuple[Any, Any], exercise: Any, model: nn.Module, data: dict[str, Any]
) -> None:
    report = reports[0]
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
    assert abs(got - optimum) <= 0.02 * optimum, (
        f"the temperature should minimise the NLL of the VALIDATION logits: {optimum:.3f} "
        f"(scipy), got {got:.3f}. Fit TemperatureScaler on the validation photos only."
    )
    assert abs(float(report.scaler.temperature) - got) <= 1e-6, (
        "report.temperature should be the scaler's temperature"
    )


# -- 3. calibration metrics --------------------------------------------------------------------
def test_ece_before_and_after_scaling(
    reports: tuple[Any, Any], model: nn.Module, data: dict[str, Any]
) -> None:
    report = reports[0]
    n = len(data["test"][1])
    assert [bool(a) for a in report.accepted] == [True] * n + [False, False], (
        f"the {n} test pills should be accepted and the 2 blank trays rejected, got "
        f"{[bool(a) for a in report.accepted]}"
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
            f"{name} should be the 15-bin ECE of the accepted test pills "
            f"({'softmax(logits / T)' if name == 'ece_after' else 'softmax(logits)'}), "
            f"{expected:.4f} by torchmetrics, got {got:.4f}"
        )
    assert report.ece_after <= report.ece_before, (
        f"temperature scaling should not increase the ECE: {report.ece_before:.4f} -> "
        f"{report.ece_after:.4f}"
    )


# -- 4. MC dropout and out-of-distribution photos -------------------------------------------
def test_mc_dropout_samples_and_entropy_flags_noise(
    reports: tuple[Any, Any], data: dict[str, Any]
) -> None:
    pills, noise = reports
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
