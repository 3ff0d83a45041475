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
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar
from torch import nn
from torchmetrics.classification import MulticlassCalibrationError

from grader import differential as diff


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
@pytest.mark.clause("nll-optimum", "returns-float")
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


@pytest.mark.clause("positive")
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


@pytest.mark.clause("detach")
def test_fit_temperature_accepts_logits_that_require_grad(impl: ModuleType) -> None:
    logits, labels = _toy(seed=5, t_true=1.5, n=500)
    logits = logits.clone().requires_grad_(True)
    got = impl.fit_temperature(logits, labels)
    assert got == pytest.approx(_scipy_temperature(logits.detach(), labels), rel=1e-2), (
        "fit_temperature on logits that require grad (straight from a model) should give the "
        "same T as on detached logits: detach them before optimising"
    )
    assert logits.grad is None, "fit_temperature must not backpropagate into the logits"


@pytest.mark.clause("nll-optimum")
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
@pytest.mark.clause("no-model", "buffer")
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


@pytest.mark.clause("fit-sets", "fit-returns-self", "forward-divides", "argmax")
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


@pytest.mark.clause("init-checks")
def test_scaler_rejects_a_non_positive_temperature(impl: ModuleType) -> None:
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError):
            impl.TemperatureScaler(None, bad)
            pytest.fail(f"TemperatureScaler(None, {bad}) should raise ValueError")


# -- judged against the reference --------------------------------------------------------------
def _nll(logits: torch.Tensor, labels: torch.Tensor, t: float) -> float:
    return float(F.cross_entropy(logits.double() / t, labels))


@st.composite
def _fit_cases(draw: st.DrawFn) -> tuple[torch.Tensor, torch.Tensor]:
    n, c = draw(st.integers(40, 150)), draw(st.integers(2, 6))
    g = torch.Generator().manual_seed(draw(st.integers(0, 999)))
    logits = draw(st.sampled_from([0.3, 1.0, 3.0])) * torch.randn(n, c, generator=g)
    t_true = draw(st.sampled_from([0.5, 1.0, 2.0, 4.0]))
    labels = torch.multinomial((logits / t_true).softmax(1), 1, generator=g).squeeze(1)
    # separable data (every label is the argmax) has its optimum at T -> 0: no finite answer
    assume(bool((labels != logits.argmax(1)).any()))
    # labels no better than chance on average put the optimum at T -> infinity (d NLL / d(1/T)
    # at 1/T = 0 is mean(mean_c z - z_y)): no finite answer either
    signal = (logits.gather(1, labels[:, None]).squeeze(1) - logits.mean(1)).mean()
    assume(float(signal) > 0.05 * float(logits.std()))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    return logits.to(dtype), labels


@pytest.mark.clause("nll-optimum", "returns-float", "positive")
@given(case=_fit_cases(), max_iter=st.sampled_from([100, 50, 200]))
def test_fit_temperature_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple, max_iter: int
) -> None:
    logits, labels = case

    def at_least_as_good(got: object, want: float) -> str | None:
        if type(got) is not float or not (math.isfinite(got) and got > 0):
            return f"expected a positive finite Python float, got {got!r}"
        # any optimiser's T is right if its NLL is within what the optimum's flatness allows
        # (float32 NLL noise ~1e-7 moves the optimum by ~1e-7 in NLL)
        gap = _nll(logits, labels, got) - _nll(logits, labels, want)
        if gap > 1e-6 * (1 + _nll(logits, labels, want)):
            return (
                f"T = {got:.5g} has NLL {gap:.3g} above the reference's T = {want:.5g}: "
                "minimise cross_entropy(logits / T, labels)"
            )
        return None

    diff.assert_same(
        impl.fit_temperature, reference.fit_temperature, logits, labels, max_iter=max_iter,
        compare=at_least_as_good,
    )  # fmt: skip


@pytest.mark.clause("fit-checks")
@pytest.mark.parametrize(
    ("logits_shape", "labels_shape"),
    [((5,), (5,)), ((2, 5, 3), (2,)), ((5, 3), (5, 1)), ((5, 3), (4,)), ((0, 3), (0,))],
    ids=["logits_1d", "logits_3d", "labels_2d", "labels_short", "empty"],
)
def test_fit_temperature_checks_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, logits_shape: tuple, labels_shape: tuple
) -> None:
    impl.fit_temperature(torch.randn(8, 3), torch.arange(8) % 3)  # not started?
    diff.assert_same(
        impl.fit_temperature, reference.fit_temperature,
        torch.randn(logits_shape), torch.zeros(labels_shape, dtype=torch.long),
    )  # fmt: skip


@pytest.mark.clause("max-iter")
@pytest.mark.parametrize("how", ["function", "scaler"])
def test_max_iter_reaches_lbfgs(
    impl: ModuleType, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    seen: list[int] = []
    original = torch.optim.LBFGS

    class Spy(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            seen.append(self.defaults["max_iter"])

    monkeypatch.setattr(torch.optim, "LBFGS", Spy)
    logits, labels = _toy(seed=4, t_true=2.0, n=200)
    if how == "function":
        t = impl.fit_temperature(logits, labels, max_iter=7)
    else:
        t = float(impl.TemperatureScaler().fit(logits, labels, max_iter=7).temperature)
    assert math.isfinite(t) and t > 0, f"the fitted temperature must be positive, got {t}"
    assert not seen or set(seen) == {7}, (
        f"max_iter=7 must reach torch.optim.LBFGS(max_iter=7); it got max_iter={seen}"
    )


class _Net(nn.Module):
    """A small classifier with dropout (train and eval differ) and a float64 head option."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Dropout(0.5), nn.Linear(12, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def _forward_and_grads(scaler: nn.Module, x: torch.Tensor, train: bool) -> tuple:
    scaler.train(train)
    x = x.clone().requires_grad_(True)
    torch.manual_seed(0)  # the same dropout masks for both
    out = scaler(x)
    (out * torch.arange(1, out.shape[-1] + 1, dtype=out.dtype)).sum().backward()
    grads = [p.grad.numpy().copy() for p in scaler.parameters()]
    return out.detach().numpy(), str(out.dtype), x.grad.numpy(), grads


@pytest.mark.clause("forward-divides", "forward-grad", "forward-shape", "no-model", "argmax")
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("temperature", [0.25, 1.0, 3.5])
@pytest.mark.parametrize("wrap", [True, False], ids=["model", "no_model"])
def test_forward_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, train: bool, dtype: torch.dtype,
    temperature: float, wrap: bool,
) -> None:  # fmt: skip
    x = torch.randn(5, 6 if wrap else 4, generator=torch.Generator().manual_seed(1), dtype=dtype)

    def run(module: ModuleType) -> tuple:
        torch.manual_seed(3)
        net = _Net().to(dtype) if wrap else None
        return _forward_and_grads(module.TemperatureScaler(net, temperature), x, train)

    eps = float(torch.finfo(dtype).eps)
    diff.assert_same(lambda: run(impl), lambda: run(reference), rtol=4 * eps, atol=4 * eps)


@pytest.mark.clause("buffer", "model-attr", "init-checks")
@pytest.mark.parametrize("temperature", [2.0, 0.5, 0.0, -1.0, float("nan"), float("inf")])
def test_scaler_state_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, temperature: float
) -> None:
    net = nn.Linear(3, 2)

    def state(module: ModuleType) -> tuple:
        scaler = module.TemperatureScaler(net, temperature)
        buffers = {
            k: (v.numpy(), v.dim(), v.is_floating_point()) for k, v in scaler.named_buffers()
        }
        params = sorted(k for k, _ in scaler.named_parameters())
        keys = sorted(scaler.state_dict())
        restored = module.TemperatureScaler(None)
        restored.load_state_dict({"temperature": torch.tensor(temperature)})
        return buffers, params, keys, scaler.model is net, float(restored.temperature)

    diff.assert_same(lambda: state(impl), lambda: state(reference))


@pytest.mark.clause("fit-sets", "fit-returns-self")
@pytest.mark.parametrize("max_iter", [100, 3])
def test_fit_agrees_with_fit_temperature(impl: ModuleType, max_iter: int) -> None:
    logits, labels = _toy(seed=11, t_true=0.7, n=300)
    scaler = impl.TemperatureScaler(None, 5.0)
    assert scaler.fit(logits, labels, max_iter=max_iter) is scaler, "fit must return self"
    want = impl.fit_temperature(logits, labels, max_iter=max_iter)
    got = float(scaler.temperature)
    assert got == pytest.approx(want, rel=1e-6), (
        f"after fit(..., max_iter={max_iter}) the buffer should hold fit_temperature(logits, "
        f"labels, max_iter={max_iter}) = {want:.6g}, got {got:.6g}"
    )
    assert torch.allclose(scaler(logits), logits / got), "forward must use the fitted T"
