"""Tests of week6.bce_with_logits: stable sigmoid, loss and gradient against PyTorch.

``torch.nn.functional.binary_cross_entropy_with_logits`` (float64, mean reduction) and autograd
are the oracle. Extreme logits (``±1e4``) run with NumPy's floating-point errors raised, so an
overflowing ``exp`` or a ``log(0)`` fails the test even when the final value looks right.
Run: ``pytest weeks/week6/tests/test_bce_with_logits.py``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

EXTREME = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 30.0], [800.0, -800.0, -30.0]])
EXTREME_Y = np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.5]])


def _strict(fn, *args: Any, what: str) -> Any:
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return fn(*args)
    except FloatingPointError as exc:
        pytest.fail(
            f"{what} raised a floating-point error ({exc}): np.exp overflowed or you took "
            "log(0). Only exponentiate -|x|, and use log1p(exp(-|x|)) + max(-x, 0) for "
            "-log(sigmoid(x))",
            pytrace=False,
        )


def _t(x) -> torch.Tensor | None:
    return None if x is None else torch.as_tensor(np.asarray(x, dtype=np.float64))


def _torch_loss_and_grad(x: np.ndarray, y: np.ndarray, pos_weight=None):
    xt = _t(x).requires_grad_(True)
    loss = F.binary_cross_entropy_with_logits(xt, _t(y), pos_weight=_t(pos_weight))
    loss.backward()
    return loss.item(), xt.grad.numpy()


def _data(seed: int, shape=(6, 4)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0, 3, size=shape), rng.random(size=shape).round(1)  # soft targets


def test_sigmoid_matches_torch_without_overflow(impl: ModuleType) -> None:
    x = np.array([-1e4, -745.0, -40.0, -1.0, 0.0, 0.5, 40.0, 745.0, 1e4])
    got = np.asarray(_strict(impl.sigmoid, x, what="sigmoid(±1e4)"))
    np.testing.assert_allclose(got, torch.sigmoid(_t(x)).numpy(), rtol=1e-12, atol=1e-300)


POS_WEIGHTS = [None, 3.0, np.array([0.5, 1.0, 2.0, 4.0])]
POS_IDS = ["no pos_weight", "pos_weight=3", "per-column pos_weight"]


@pytest.mark.parametrize("pos_weight", POS_WEIGHTS, ids=POS_IDS)
def test_loss_matches_torch(impl: ModuleType, pos_weight) -> None:
    x, y = _data(0)
    got = impl.bce_with_logits(x, y, pos_weight)
    want, _ = _torch_loss_and_grad(x, y, pos_weight)
    assert isinstance(got, float), f"bce_with_logits must return a Python float, got {type(got)}"
    assert got == pytest.approx(want, rel=1e-10), (
        f"bce_with_logits should be {want:.10f} (torch), got {got:.10f}. Mean over ALL "
        "elements; pos_weight multiplies only the positive term y * log(sigmoid(x))"
    )


def test_loss_is_finite_for_extreme_logits(impl: ModuleType) -> None:
    for pos_weight in (None, 2.0):
        got = _strict(impl.bce_with_logits, EXTREME, EXTREME_Y, pos_weight, what="bce(±1e4)")
        want, _ = _torch_loss_and_grad(EXTREME, EXTREME_Y, pos_weight)
        assert np.isfinite(got) and got == pytest.approx(want, rel=1e-10), (
            f"bce_with_logits on ±1e4 logits (pos_weight={pos_weight}) should be {want:.4f} "
            f"(confident mistakes cost ~1e4, not inf), got {got}"
        )


@pytest.mark.parametrize("pos_weight", POS_WEIGHTS, ids=POS_IDS)
def test_gradient_matches_autograd(impl: ModuleType, pos_weight) -> None:
    x, y = _data(1)
    got = np.asarray(impl.bce_with_logits_grad(x, y, pos_weight))
    _, want = _torch_loss_and_grad(x, y, pos_weight)
    assert got.shape == x.shape, (
        f"the gradient has the shape of the logits {x.shape}, got {got.shape}"
    )
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-9,
        atol=1e-14,
        err_msg="bce_with_logits_grad differs from torch autograd; expected "
        "(sigmoid(x) * (p * y + 1 - y) - p * y) / N",
    )


def test_gradient_matches_finite_differences(impl: ModuleType) -> None:
    x, y = _data(2, shape=(5,))
    p, h = 2.5, 1e-6
    grad = np.asarray(impl.bce_with_logits_grad(x, y, p))
    numeric = np.array(
        [
            (impl.bce_with_logits(x + h * e, y, p) - impl.bce_with_logits(x - h * e, y, p))
            / (2 * h)
            for e in np.eye(5)
        ]
    )
    np.testing.assert_allclose(
        grad, numeric, atol=1e-8, err_msg="gradient vs central finite differences of your loss"
    )


def test_gradient_is_finite_for_extreme_logits(impl: ModuleType) -> None:
    got = np.asarray(
        _strict(impl.bce_with_logits_grad, EXTREME, EXTREME_Y, 2.0, what="gradient(±1e4)")
    )
    _, want = _torch_loss_and_grad(EXTREME, EXTREME_Y, 2.0)
    np.testing.assert_allclose(got, want, atol=1e-14, err_msg="gradient on ±1e4 logits")


@pytest.mark.parametrize(
    ("logits", "targets", "pos_weight", "problem"),
    [
        (np.zeros(3), np.zeros(4), None, "shapes (3,) and (4,)"),
        (np.zeros(2), np.array([0.0, 1.5]), None, "a target of 1.5"),
        (np.zeros((2, 3)), np.zeros((2, 3)), np.ones(4), "pos_weight of shape (4,) for (2, 3)"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_inputs_raise_value_error(
    impl: ModuleType, logits: np.ndarray, targets: np.ndarray, pos_weight, problem: str
) -> None:
    with pytest.raises(ValueError):
        impl.bce_with_logits(logits, targets, pos_weight)
        pytest.fail(f"bce_with_logits should raise ValueError for {problem}", pytrace=False)
