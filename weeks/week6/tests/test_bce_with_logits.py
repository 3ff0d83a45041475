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
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import differential as diff

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


@pytest.mark.clause("sigmoid", "no-overflow")
def test_sigmoid_matches_torch_without_overflow(impl: ModuleType) -> None:
    x = np.array([-1e4, -745.0, -40.0, -1.0, 0.0, 0.5, 40.0, 745.0, 1e4])
    got = np.asarray(_strict(impl.sigmoid, x, what="sigmoid(±1e4)"))
    np.testing.assert_allclose(got, torch.sigmoid(_t(x)).numpy(), rtol=1e-12, atol=1e-300)


POS_WEIGHTS = [None, 3.0, np.array([0.5, 1.0, 2.0, 4.0])]
POS_IDS = ["no pos_weight", "pos_weight=3", "per-column pos_weight"]


@pytest.mark.clause("loss", "pos-weight", "soft-labels")
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


@pytest.mark.clause("finite", "no-overflow")
def test_loss_is_finite_for_extreme_logits(impl: ModuleType) -> None:
    for pos_weight in (None, 2.0):
        got = _strict(impl.bce_with_logits, EXTREME, EXTREME_Y, pos_weight, what="bce(±1e4)")
        want, _ = _torch_loss_and_grad(EXTREME, EXTREME_Y, pos_weight)
        assert np.isfinite(got) and got == pytest.approx(want, rel=1e-10), (
            f"bce_with_logits on ±1e4 logits (pos_weight={pos_weight}) should be {want:.4f} "
            f"(confident mistakes cost ~1e4, not inf), got {got}"
        )


@pytest.mark.clause("grad", "pos-weight")
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


@pytest.mark.clause("grad")
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


@pytest.mark.clause("grad", "no-overflow")
def test_gradient_is_finite_for_extreme_logits(impl: ModuleType) -> None:
    got = np.asarray(
        _strict(impl.bce_with_logits_grad, EXTREME, EXTREME_Y, 2.0, what="gradient(±1e4)")
    )
    _, want = _torch_loss_and_grad(EXTREME, EXTREME_Y, 2.0)
    np.testing.assert_allclose(got, want, atol=1e-14, err_msg="gradient on ±1e4 logits")


@pytest.mark.clause("shapes", "target-range", "pos-weight-shape")
@pytest.mark.parametrize(
    ("logits", "targets", "pos_weight", "problem"),
    [
        (np.zeros(3), np.zeros(4), None, "shapes (3,) and (4,)"),
        (np.zeros(2), np.array([0.0, 1.5]), None, "a target of 1.5"),
        (np.zeros((2, 3)), np.zeros((2, 3)), np.ones(4), "pos_weight of shape (4,) for (2, 3)"),
        (np.zeros(1), np.zeros(1), np.ones(3), "pos_weight of shape (3,) widening (1,)"),
        (np.zeros((2, 1)), np.zeros((2, 1)), np.ones((2, 3)), "pos_weight (2, 3) for (2, 1)"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_inputs_raise_value_error(
    impl: ModuleType, logits: np.ndarray, targets: np.ndarray, pos_weight, problem: str
) -> None:
    with pytest.raises(ValueError):
        impl.bce_with_logits(logits, targets, pos_weight)
        pytest.fail(f"bce_with_logits should raise ValueError for {problem}", pytrace=False)


# -- judged against the reference --------------------------------------------------------------
# Tolerances: each loss term is a handful of float64 operations on |x| (up to 1e4) and p, so a
# different but exact arrangement (e.g. max(x, 0) - x * y + log1p(exp(-|x|)) without pos_weight)
# differs by a few eps * (1 + p) * |x|; the gradient by a few eps * (1 + p) / N. The sigmoid is
# compared relatively (rtol 1e-12), as it is against torch above.
EPS = np.finfo(np.float64).eps
STRICT = {"over": "raise", "divide": "raise", "invalid": "raise", "under": "ignore"}


def _started(impl: ModuleType) -> None:
    """Valid calls first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.sigmoid(np.zeros(1))
    impl.bce_with_logits(np.zeros(1), np.zeros(1))
    impl.bce_with_logits_grad(np.zeros(1), np.zeros(1))


@st.composite
def _problems(draw):
    x = draw(diff.float_arrays(min_dims=1, max_dims=3, max_side=4, magnitude=1e4))
    kind = draw(st.sampled_from(["ok"] * 8 + ["shape", "range"]))
    target = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0.0, 1.0))
    y = draw(hnp.arrays(np.float64, x.shape, elements=target))
    if kind == "shape":
        y = np.zeros((*x.shape, 1)) if draw(st.booleans()) else np.zeros(x.shape[:-1] + (7,))
    elif kind == "range" and y.size:
        y = y.copy()
        y.flat[draw(st.integers(0, y.size - 1))] = draw(st.sampled_from([-0.1, 1.5, -1e-9]))
    weight = st.floats(0.0, 10.0)
    p = draw(
        st.one_of(
            st.none(),
            weight,
            hnp.arrays(np.float64, x.shape[-1:], elements=weight),
            hnp.arrays(np.float64, x.shape, elements=weight),
            # a shape that does not broadcast (with a last axis of 1, every shape would)
            st.just(np.ones(x.shape[-1] + 2) if x.shape[-1] > 1 else None),
        )
    )
    return x, y, p


def _tolerances(x, p) -> tuple[float, float]:
    pmax = 1.0 if p is None else float(np.max(p, initial=1.0))
    xmax = float(np.abs(x).max(initial=0.0)) + 1.0
    return 16 * EPS * (1 + pmax) * xmax, 16 * EPS * (1 + pmax) / max(x.size, 1)


@pytest.mark.clause(
    "loss", "finite", "grad", "any-shape", "soft-labels", "pos-weight", "shapes", "target-range",
    "pos-weight-shape", "no-overflow",
)  # fmt: skip
@given(problem=_problems())
@example(problem=(np.array([2.0, -1.0]), np.array([1.0, 0.0]), None))
@example(problem=(np.array([-1e4]), np.array([1.0]), None))
@example(problem=(np.zeros((2, 0)), np.zeros((2, 0)), None))
@example(problem=(np.full((2, 2, 3), 30.0), np.full((2, 2, 3), 0.3), np.array([1.0, 2.0, 0.5])))
@example(problem=(np.zeros(3), np.array([0.0, -0.5, 1.0]), None))
@example(problem=(np.zeros((2, 3)), np.zeros((2, 3)), np.ones(4)))
@example(problem=(np.zeros(1), np.ones(1), np.array([1.0, 2.0, 3.0])))  # would widen the logits
@example(  # one weight per column (last axis), on a square batch
    problem=(np.arange(9.0).reshape(3, 3) - 4, np.ones((3, 3)), np.array([1.0, 2.0, 5.0]))
)
def test_loss_and_gradient_agree_with_the_reference(impl, reference, problem) -> None:
    _started(impl)
    x, y, p = problem
    loss_atol, grad_atol = _tolerances(x, p)
    with np.errstate(**STRICT):
        diff.assert_same(
            impl.bce_with_logits, reference.bce_with_logits, x, y, p, rtol=1e-12, atol=loss_atol
        )
        diff.assert_same(
            impl.bce_with_logits_grad, reference.bce_with_logits_grad, x, y, p,
            rtol=1e-12, atol=grad_atol,
        )  # fmt: skip


@pytest.mark.clause("sigmoid", "no-overflow")
@given(x=diff.float_arrays(min_dims=0, max_dims=3, magnitude=1e4))
@example(x=np.array([-745.0, -709.0, -40.0, 0.0, 40.0, 1e4]))
@example(x=np.array(-1e4))
def test_sigmoid_agrees_with_the_reference(impl, reference, x) -> None:
    _started(impl)
    with np.errstate(**STRICT):
        diff.assert_same(
            impl.sigmoid, reference.sigmoid, x,
            compare=lambda got, want: diff.same(
                np.asarray(got) if isinstance(got, np.floating) and np.ndim(want) == 0 else got,
                want, rtol=1e-12, atol=1e-300,
            ),
        )  # fmt: skip
