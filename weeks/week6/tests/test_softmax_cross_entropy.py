"""Tests of week6.softmax_cross_entropy: stable softmax, log-softmax, cross-entropy and gradient.

``torch.nn.functional`` is the oracle (float64). Extreme logits (``±1e4``) run with NumPy's
floating-point errors turned into exceptions, so an overflow or a ``log(0)`` fails the test.
Run: ``pytest weeks/week6/tests/test_softmax_cross_entropy.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SHAPES_AXES = [((5,), -1), ((4, 7), 1), ((4, 7), 0), ((3, 4, 5), 1), ((2, 3, 6), -1)]
EXTREME = np.array(
    [
        [1e4, 0.0, -1e4],
        [-1e4, -1e4 + 1.0, -1e4 + 2.0],
        [1e4, 1e4, 1e4],
        [-1e4, 1e4, 0.0],
    ]
)


def _strict(fn: Callable[..., Any], *args: Any, what: str, **kwargs: Any) -> Any:
    """Call ``fn`` with NumPy overflow/divide/invalid turned into errors, failing with a hint."""
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return fn(*args, **kwargs)
    except FloatingPointError as exc:
        pytest.fail(
            f"{what} raised a floating-point error ({exc}): exp overflowed, or you took log(0) "
            "or divided 0 by 0. Subtract the maximum along the axis before exponentiating and "
            "use log-sum-exp instead of log(softmax).",
            pytrace=False,
        )


def _torch(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))


def _data(seed: int, n: int = 6, c: int = 5, scale: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, scale, size=(n, c)), rng.integers(0, c, size=n)


# -- softmax and log-softmax -------------------------------------------------------------------
@pytest.mark.parametrize(("shape", "axis"), SHAPES_AXES, ids=str)
def test_softmax_matches_torch(impl: ModuleType, shape: tuple[int, ...], axis: int) -> None:
    x = np.random.default_rng(0).normal(0.0, 4.0, size=shape)
    got = np.asarray(impl.softmax(x, axis=axis))
    want = torch.softmax(_torch(x), dim=axis).numpy()
    assert got.shape == want.shape, f"softmax(x, axis={axis}) of shape {shape}: got {got.shape}"
    np.testing.assert_allclose(
        got, want, rtol=1e-10, atol=1e-12, err_msg=f"softmax(x, axis={axis}) differs from torch"
    )


@pytest.mark.parametrize(("shape", "axis"), SHAPES_AXES, ids=str)
def test_log_softmax_matches_torch(impl: ModuleType, shape: tuple[int, ...], axis: int) -> None:
    x = np.random.default_rng(1).normal(0.0, 4.0, size=shape)
    got = np.asarray(impl.log_softmax(x, axis=axis))
    want = F.log_softmax(_torch(x), dim=axis).numpy()
    np.testing.assert_allclose(
        got, want, rtol=1e-10, atol=1e-10, err_msg=f"log_softmax(x, axis={axis}) differs from torch"
    )


@settings(
    derandomize=True,
    deadline=None,
    max_examples=40,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # no shrinking: fast, still reproducible
)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
        elements=st.floats(-50, 50),
    ),
    shift=st.floats(-1e3, 1e3),
)
def test_softmax_is_shift_invariant_and_sums_to_one(
    impl: ModuleType, x: np.ndarray, shift: float
) -> None:
    p = np.asarray(impl.softmax(x, axis=1))
    q = np.asarray(impl.softmax(x + shift, axis=1))
    np.testing.assert_allclose(
        p.sum(axis=1), 1.0, rtol=1e-12, err_msg=f"softmax rows must sum to 1; x=\n{x}"
    )
    assert (p >= 0).all(), f"softmax produced negative probabilities for x=\n{x}"
    np.testing.assert_allclose(
        p, q, rtol=1e-9, atol=1e-12, err_msg=f"softmax(x + {shift}) should equal softmax(x)"
    )


def test_softmax_survives_extreme_logits(impl: ModuleType) -> None:
    got = np.asarray(_strict(impl.softmax, EXTREME, axis=1, what="softmax(±1e4 logits)"))
    want = torch.softmax(_torch(EXTREME), dim=1).numpy()
    assert np.isfinite(got).all(), f"softmax of ±1e4 logits must be finite, got\n{got}"
    np.testing.assert_allclose(
        got,
        want,
        atol=1e-12,
        err_msg="softmax of ±1e4 logits differs from torch (each ROW needs its own maximum: a "
        "global max underflows the rows far below it)",
    )


def test_log_softmax_survives_extreme_logits(impl: ModuleType) -> None:
    got = np.asarray(_strict(impl.log_softmax, EXTREME, axis=1, what="log_softmax(±1e4)"))
    want = F.log_softmax(_torch(EXTREME), dim=1).numpy()
    assert np.isfinite(got).all(), (
        f"log_softmax of ±1e4 logits must be finite (e.g. log_softmax([1e4, 0, -1e4]) = "
        f"[0, -1e4, -2e4]), got\n{got}"
    )
    np.testing.assert_allclose(got, want, rtol=1e-12, err_msg="log_softmax(±1e4) differs")


# -- cross-entropy -----------------------------------------------------------------------------
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.35])
def test_cross_entropy_matches_torch(impl: ModuleType, eps: float) -> None:
    logits, labels = _data(seed=2, n=8, c=4)
    got = impl.cross_entropy(logits, labels, label_smoothing=eps)
    want = F.cross_entropy(_torch(logits), torch.from_numpy(labels), label_smoothing=eps).item()
    assert isinstance(got, float), f"cross_entropy must return a Python float, got {type(got)}"
    assert got == pytest.approx(want, rel=1e-10), (
        f"cross_entropy(label_smoothing={eps}) should be {want:.10f} (torch), got {got:.10f}. "
        "The smoothed target is (1 - eps) * onehot + eps / C over ALL C classes, and the "
        "reduction is the mean over samples."
    )


@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_cross_entropy_survives_extreme_logits(impl: ModuleType, eps: float) -> None:
    labels = np.array([2, 0, 1, 1])
    got = _strict(impl.cross_entropy, EXTREME, labels, eps, what="cross_entropy(±1e4)")
    want = F.cross_entropy(_torch(EXTREME), torch.from_numpy(labels), label_smoothing=eps).item()
    assert np.isfinite(got), f"cross_entropy on ±1e4 logits must be finite, got {got}"
    assert got == pytest.approx(want, rel=1e-10), (
        f"cross_entropy on ±1e4 logits (label_smoothing={eps}) should be {want} (torch), got "
        f"{got}. A confidently wrong sample costs about 2e4 here, not inf."
    )


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.35])
def test_gradient_matches_torch_autograd(impl: ModuleType, eps: float) -> None:
    logits, labels = _data(seed=3, n=7, c=5)
    got = np.asarray(impl.cross_entropy_grad(logits, labels, label_smoothing=eps))
    x = _torch(logits).requires_grad_(True)
    F.cross_entropy(x, torch.from_numpy(labels), label_smoothing=eps).backward()
    want = x.grad.numpy()
    assert got.shape == want.shape, f"gradient shape should be {want.shape}, got {got.shape}"
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-9,
        atol=1e-12,
        err_msg=f"cross_entropy_grad(label_smoothing={eps}) differs from torch autograd; "
        "expected (softmax(logits) - target) / N",
    )


def test_gradient_matches_finite_differences(impl: ModuleType) -> None:
    logits, labels = _data(seed=4, n=4, c=3)
    eps, h = 0.15, 1e-6
    grad = np.asarray(impl.cross_entropy_grad(logits, labels, label_smoothing=eps))
    numeric = np.zeros_like(logits)
    for idx in np.ndindex(*logits.shape):
        up, down = logits.copy(), logits.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (
            impl.cross_entropy(up, labels, eps) - impl.cross_entropy(down, labels, eps)
        ) / (2 * h)
    np.testing.assert_allclose(
        grad,
        numeric,
        atol=1e-7,
        err_msg="cross_entropy_grad disagrees with central finite differences of your "
        "cross_entropy (loss and gradient must describe the same function)",
    )


def test_gradient_survives_extreme_logits(impl: ModuleType) -> None:
    labels = np.array([2, 0, 1, 1])
    got = np.asarray(_strict(impl.cross_entropy_grad, EXTREME, labels, 0.1, what="gradient"))
    x = _torch(EXTREME).requires_grad_(True)
    F.cross_entropy(x, torch.from_numpy(labels), label_smoothing=0.1).backward()
    np.testing.assert_allclose(
        got, x.grad.numpy(), atol=1e-12, err_msg="cross_entropy_grad on ±1e4 logits"
    )


@pytest.mark.parametrize(
    ("logits", "labels", "eps", "problem"),
    [
        (np.zeros(3), np.array([0]), 0.0, "1-D logits"),
        (np.zeros((2, 3)), np.array([0, 3]), 0.0, "label 3 with C=3"),
        (np.zeros((2, 3)), np.array([0, -1]), 0.0, "label -1"),
        (np.zeros((2, 3)), np.array([0, 1, 2]), 0.0, "3 labels for 2 rows"),
        (np.zeros((2, 3)), np.array([0.0, 1.0]), 0.0, "float labels"),
        (np.zeros((2, 3)), np.array([0, 1]), 1.0, "label_smoothing=1"),
        (np.zeros((2, 3)), np.array([0, 1]), -0.1, "label_smoothing=-0.1"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_inputs_raise_value_error(
    impl: ModuleType, logits: np.ndarray, labels: np.ndarray, eps: float, problem: str
) -> None:
    for fn in (impl.cross_entropy, impl.cross_entropy_grad):
        with pytest.raises(ValueError):
            fn(logits, labels, label_smoothing=eps)
            pytest.fail(f"{fn.__name__} should raise ValueError for {problem}", pytrace=False)
