"""Tests of week1.temperature_scaling: fit a temperature by NLL and apply it.

Oracles: ``scipy.optimize.minimize_scalar`` on the same NLL (the optimum must match), labels drawn
from ``softmax(logits / T_true)`` (the fitted T must recover T_true), and torchmetrics'
``MulticlassCalibrationError`` for the ECE before and after.
Run: ``pytest weeks/week1/tests/test_temperature_scaling.py``.
"""

from __future__ import annotations

import math
from types import ModuleType

import pytest
import torch
import torch.nn.functional as F
from scipy.optimize import minimize_scalar
from torch import nn
from torchmetrics.classification import MulticlassCalibrationError


def _toy(seed: int, t_true: float, n: int = 4000, classes: int = 5) -> tuple[torch.Tensor, ...]:
    """Logits and labels drawn from softmax(logits / t_true): the best temperature is ~t_true."""
    g = torch.Generator().manual_seed(seed)
    logits = 3 * torch.randn(n, classes, generator=g)
    labels = torch.multinomial((logits / t_true).softmax(1), 1, generator=g).squeeze(1)
    return logits, labels


def _scipy_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    z, y = logits.double(), labels

    def nll(log_t: float) -> float:
        return float(F.cross_entropy(z / math.exp(log_t), y))

    return math.exp(minimize_scalar(nll, bounds=(-4, 4), method="bounded").x)


def _ece(logits: torch.Tensor, labels: torch.Tensor) -> float:
    metric = MulticlassCalibrationError(num_classes=logits.shape[1], n_bins=15, norm="l1")
    return float(metric(logits.softmax(1), labels))


# -- fit_temperature -----------------------------------------------------------------------------
@pytest.mark.parametrize("t_true", [2.0, 0.5], ids=["overconfident", "underconfident"])
def test_fit_temperature_finds_the_nll_optimum(impl: ModuleType, t_true: float) -> None:
    logits, labels = _toy(seed=int(10 * t_true), t_true=t_true)
    want = _scipy_temperature(logits, labels)
    got = impl.fit_temperature(logits, labels)
    assert isinstance(got, float), f"return a Python float, got {type(got).__name__}"
    assert got == pytest.approx(want, rel=1e-2), (
        f"labels drawn from softmax(logits / {t_true}): the NLL-optimal temperature (scipy) is "
        f"{want:.3f}, you returned {got:.3f}. Minimise F.cross_entropy(logits / T, labels) over "
        "T (divide, do not multiply), with the true labels, starting from T = 1."
    )


def test_temperature_stays_positive_for_an_always_wrong_model(impl: ModuleType) -> None:
    g = torch.Generator().manual_seed(3)
    logits = 2 * torch.randn(500, 4, generator=g)
    labels = logits.argmin(dim=1)  # the least likely class is always the true one
    got = impl.fit_temperature(logits, labels)
    assert math.isfinite(got) and got > 1.0, (
        "for a model whose top class is always wrong, the best *positive* temperature is large "
        f"(T -> infinity flattens the softmax); you returned {got}. A negative T would reverse "
        "the ranking: optimise log T so that T = exp(log_t) stays positive."
    )


def test_fit_temperature_accepts_logits_that_require_grad(impl: ModuleType) -> None:
    logits, labels = _toy(seed=5, t_true=1.5, n=500)
    logits = logits.clone().requires_grad_(True)
    got = impl.fit_temperature(logits, labels)
    assert got == pytest.approx(_scipy_temperature(logits.detach(), labels), rel=1e-2), (
        "fit_temperature on logits that require grad (straight from a model) should give the "
        "same T as on detached logits: detach them before optimising"
    )
    assert logits.grad is None, "fit_temperature must not backpropagate into the logits"


def test_calibration_improves_on_held_out_data(impl: ModuleType) -> None:
    logits, labels = _toy(seed=7, t_true=2.5, n=6000)
    val, test = slice(0, 3000), slice(3000, None)
    t = impl.fit_temperature(logits[val], labels[val])
    before_nll = float(F.cross_entropy(logits[test], labels[test]))
    after_nll = float(F.cross_entropy(logits[test] / t, labels[test]))
    assert after_nll <= before_nll, (
        f"on held-out data, NLL with your T = {t:.3f} ({after_nll:.4f}) should not be worse "
        f"than with T = 1 ({before_nll:.4f})"
    )
    before_ece, after_ece = _ece(logits[test], labels[test]), _ece(logits[test] / t, labels[test])
    assert after_ece < 0.5 * before_ece, (
        f"an over-confident toy model (T_true = 2.5) should become much better calibrated: ECE "
        f"{before_ece:.4f} -> {after_ece:.4f} with your T = {t:.3f}"
    )


# -- TemperatureScaler ---------------------------------------------------------------------------
def test_scaler_divides_logits_by_the_temperature(impl: ModuleType) -> None:
    logits = torch.tensor([[2.0, -1.0, 0.5], [0.0, 4.0, 1.0]])
    scaler = impl.TemperatureScaler(None, 2.0)
    got = scaler(logits)
    assert torch.allclose(got, logits / 2.0), (
        f"TemperatureScaler(None, 2.0)(logits) should be logits / 2 = {(logits / 2).tolist()}, "
        f"got {got.tolist()}"
    )
    buffers = dict(scaler.named_buffers())
    assert "temperature" in buffers and not list(scaler.parameters()), (
        "the temperature should be a registered buffer named 'temperature' (in the state dict, "
        f"not a trainable parameter); buffers {list(buffers)}, parameters "
        f"{[n for n, _ in scaler.named_parameters()]}"
    )


def test_scaler_wraps_a_model_and_keeps_its_argmax(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 5)).eval()
    x = torch.randn(64, 8)
    with torch.no_grad():
        logits = model(x)
        labels = torch.multinomial((logits * 0.3).softmax(1), 1).squeeze(1)
    scaler = impl.TemperatureScaler(model)
    fitted = scaler.fit(logits, labels)
    assert fitted is scaler, "fit should return self so that calls chain"
    t = float(scaler.temperature)
    assert t == pytest.approx(impl.fit_temperature(logits, labels), rel=1e-6), (
        f"after fit, scaler.temperature ({t}) should equal fit_temperature(logits, labels)"
    )
    with torch.no_grad():
        out = scaler(x)
    assert torch.allclose(out, logits / t, atol=1e-5), (
        "TemperatureScaler(model)(x) should be model(x) / T"
    )
    assert torch.equal(out.argmax(1), logits.argmax(1)), "dividing by T > 0 keeps every argmax"


def test_scaler_rejects_a_non_positive_temperature(impl: ModuleType) -> None:
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError):
            impl.TemperatureScaler(None, bad)
            pytest.fail(f"TemperatureScaler(None, {bad}) should raise ValueError")
