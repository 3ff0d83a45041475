"""Tests of week6.softmax_cross_entropy: stable softmax, log-softmax, cross-entropy and gradient.

``torch.nn.functional`` is the oracle (float64). Extreme logits (``±1e4``) run with NumPy's
floating-point errors turned into exceptions, so an overflow or a ``log(0)`` fails the test.
Differential tests judge the same calls against the reference solution (``reference``), on
Hypothesis-drawn inputs that include ties, constant rows, ``±1e4`` logits and invalid arguments.
Run: ``pytest weeks/week6/tests/test_softmax_cross_entropy.py``.
"""

from __future__ import annotations

import functools
import tracemalloc
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import differential as diff

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


def _no_fp_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with NumPy overflow, divide-by-zero and invalid operations raised as errors."""

    @functools.wraps(fn)
    def strict(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return fn(*args, **kwargs)

    return strict


def _atol(x: np.ndarray) -> float:
    """Absolute tolerance for log-space results: rounding of ``x - max`` and of the log-sum-exp
    is a few ulps of the largest |logit|, whatever (correct) order the terms are combined in."""
    return 1e-13 * (1.0 + float(np.abs(x).max(initial=0.0)))


# -- softmax and log-softmax -------------------------------------------------------------------
@pytest.mark.clause("softmax", "axis")
@pytest.mark.parametrize(("shape", "axis"), SHAPES_AXES, ids=str)
def test_softmax_matches_torch(impl: ModuleType, shape: tuple[int, ...], axis: int) -> None:
    x = np.random.default_rng(0).normal(0.0, 4.0, size=shape)
    got = np.asarray(impl.softmax(x, axis=axis))
    want = torch.softmax(_torch(x), dim=axis).numpy()
    assert got.shape == want.shape, f"softmax(x, axis={axis}) of shape {shape}: got {got.shape}"
    np.testing.assert_allclose(
        got, want, rtol=1e-10, atol=1e-12, err_msg=f"softmax(x, axis={axis}) differs from torch"
    )


@pytest.mark.clause("log-softmax", "axis")
@pytest.mark.parametrize(("shape", "axis"), SHAPES_AXES, ids=str)
def test_log_softmax_matches_torch(impl: ModuleType, shape: tuple[int, ...], axis: int) -> None:
    x = np.random.default_rng(1).normal(0.0, 4.0, size=shape)
    got = np.asarray(impl.log_softmax(x, axis=axis))
    want = F.log_softmax(_torch(x), dim=axis).numpy()
    np.testing.assert_allclose(
        got, want, rtol=1e-10, atol=1e-10, err_msg=f"log_softmax(x, axis={axis}) differs from torch"
    )


@pytest.mark.clause("softmax")
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


@pytest.mark.clause("finite", "softmax")
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


@pytest.mark.clause("finite", "log-softmax")
def test_log_softmax_survives_extreme_logits(impl: ModuleType) -> None:
    got = np.asarray(_strict(impl.log_softmax, EXTREME, axis=1, what="log_softmax(±1e4)"))
    want = F.log_softmax(_torch(EXTREME), dim=1).numpy()
    assert np.isfinite(got).all(), (
        f"log_softmax of ±1e4 logits must be finite (e.g. log_softmax([1e4, 0, -1e4]) = "
        f"[0, -1e4, -2e4]), got\n{got}"
    )
    np.testing.assert_allclose(
        got, want, rtol=1e-12, atol=_atol(EXTREME), err_msg="log_softmax(±1e4) differs"
    )


# -- cross-entropy -----------------------------------------------------------------------------
@pytest.mark.clause("ce", "ce-mean", "smoothing", "dtype")
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


@pytest.mark.clause("finite", "ce")
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


@pytest.mark.clause("grad", "smoothing")
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


@pytest.mark.clause("grad")
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


@pytest.mark.clause("finite", "grad")
def test_gradient_survives_extreme_logits(impl: ModuleType) -> None:
    labels = np.array([2, 0, 1, 1])
    got = np.asarray(_strict(impl.cross_entropy_grad, EXTREME, labels, 0.1, what="gradient"))
    x = _torch(EXTREME).requires_grad_(True)
    F.cross_entropy(x, torch.from_numpy(labels), label_smoothing=0.1).backward()
    np.testing.assert_allclose(
        got, x.grad.numpy(), atol=1e-12, err_msg="cross_entropy_grad on ±1e4 logits"
    )


def _bad(logits: np.ndarray, labels: np.ndarray, eps: float, problem: str, clause: str) -> Any:
    return pytest.param(logits, labels, eps, problem, marks=pytest.mark.clause(clause), id=problem)


@pytest.mark.parametrize(
    ("logits", "labels", "eps", "problem"),
    [
        _bad(np.zeros(3), np.array([0]), 0.0, "1-D logits", "logits-2d"),
        _bad(np.zeros((1, 2, 3)), np.array([0]), 0.0, "3-D logits", "logits-2d"),
        _bad(np.zeros((2, 3)), np.array([0, 3]), 0.0, "label 3 with C=3", "labels-range"),
        _bad(np.zeros((2, 3)), np.array([0, -1]), 0.0, "label -1", "labels-range"),
        _bad(np.zeros((2, 3)), np.array([0, 1, 2]), 0.0, "3 labels for 2 rows", "labels-shape"),
        _bad(np.zeros((2, 3)), np.array([[0], [1]]), 0.0, "labels (2, 1)", "labels-shape"),
        _bad(np.zeros((2, 3)), np.array([0.0, 1.0]), 0.0, "float labels", "labels-int"),
        _bad(np.zeros((2, 3)), np.array([0, 1]), 1.0, "label_smoothing=1", "eps-range"),
        _bad(np.zeros((2, 3)), np.array([0, 1]), -0.1, "label_smoothing=-0.1", "eps-range"),
    ],
)
def test_bad_inputs_raise_value_error(
    impl: ModuleType, logits: np.ndarray, labels: np.ndarray, eps: float, problem: str
) -> None:
    for fn in (impl.cross_entropy, impl.cross_entropy_grad):
        with pytest.raises(ValueError):
            fn(logits, labels, label_smoothing=eps)
            pytest.fail(f"{fn.__name__} should raise ValueError for {problem}", pytrace=False)


# -- differential: the same calls, judged against the reference --------------------------------
@st.composite
def _array_and_axis(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    x = draw(diff.float_arrays(min_dims=1, max_dims=3, min_side=1, max_side=5, magnitude=1e4))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@pytest.mark.clause("softmax", "log-softmax", "axis", "finite")
@given(case=_array_and_axis())
@example(case=(EXTREME, 1))
@example(case=(EXTREME, 0))
@example(case=(EXTREME, -2))
def test_softmax_and_log_softmax_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple[np.ndarray, int]
) -> None:
    x, axis = case
    diff.assert_same(
        _no_fp_errors(impl.softmax), reference.softmax, x, axis=axis, rtol=1e-9, atol=1e-15
    )
    diff.assert_same(
        _no_fp_errors(impl.log_softmax), reference.log_softmax, x, axis=axis,
        rtol=1e-9, atol=_atol(x),
    )  # fmt: skip


@pytest.mark.clause("dtype")
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.float16])
def test_results_are_float64(impl: ModuleType, reference: ModuleType, dtype: type) -> None:
    x = np.array([[3.0, 1.0, -2.0, 0.5], [100.0, 101.0, 99.0, 100.0]]).astype(dtype)
    labels = np.array([0, 1])
    for name in ("softmax", "log_softmax", "cross_entropy_grad"):
        args = (x, labels, 0.1) if name == "cross_entropy_grad" else (x,)
        got = getattr(impl, name)(*args)
        assert isinstance(got, np.ndarray) and got.dtype == np.float64, (
            f"{name} of a {np.dtype(dtype).name} array must return a float64 array (convert the "
            f"input with np.asarray(x, dtype=np.float64) first), got {diff.describe(got)}"
        )
        diff.assert_same(
            getattr(impl, name), getattr(reference, name), *args, rtol=1e-12, atol=1e-15
        )
    loss = impl.cross_entropy(x, labels, 0.1)
    assert type(loss) is float, f"cross_entropy must return a Python float, got {type(loss)}"


@st.composite
def _ce_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float]:
    logits = draw(diff.float_arrays(min_dims=2, max_dims=2, min_side=1, magnitude=1e4))
    n, c = logits.shape
    valid = draw(st.integers(0, 4)) > 0  # mostly valid labels, sometimes one out of [0, C)
    high = c - 1 if valid else c
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0 if valid else -1, high)))
    eps = draw(
        st.one_of(
            st.sampled_from([0.0, 0.1, 0.5, 0.999, 1.0, -1e-9, 1.5]),
            st.floats(0.0, 1.0, exclude_max=True),
        )
    )
    return logits, labels, eps


@pytest.mark.clause(
    "ce", "ce-mean", "grad", "smoothing", "finite", "labels-range", "eps-range", "dtype"
)
@given(case=_ce_case())
@example(case=(EXTREME, np.array([2, 0, 1, 1]), 0.0))
@example(case=(EXTREME, np.array([0, 2, 2, 0]), 0.3))
@example(case=(EXTREME, np.array([0, 2, 3, 0]), 0.3))
@example(case=(EXTREME, np.array([0, 2, 2, 0]), 1.0))
@example(case=(np.full((3, 1), 7.0), np.array([0, 0, 0]), 0.5))
def test_cross_entropy_and_gradient_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple[np.ndarray, np.ndarray, float]
) -> None:
    logits, labels, eps = case
    # the loss is a mean of terms up to ~2 * max|logit|: a few ulps of that is honest
    diff.assert_same(
        _no_fp_errors(impl.cross_entropy), reference.cross_entropy, logits, labels,
        label_smoothing=eps, rtol=1e-9, atol=_atol(logits),
    )  # fmt: skip
    # gradient entries are differences of probabilities: absolute error, not relative
    diff.assert_same(
        _no_fp_errors(impl.cross_entropy_grad), reference.cross_entropy_grad, logits, labels,
        label_smoothing=eps, rtol=1e-9, atol=1e-13,
    )  # fmt: skip


@pytest.mark.clause("empty")
@pytest.mark.parametrize("c", [1, 4])
def test_an_empty_batch_gives_nan_loss_and_empty_gradient(
    impl: ModuleType, reference: ModuleType, c: int
) -> None:
    logits, labels = np.zeros((0, c)), np.zeros(0, dtype=np.int64)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of an empty slice
        for eps in (0.0, 0.25):
            diff.assert_same(impl.cross_entropy, reference.cross_entropy, logits, labels, eps)
            diff.assert_same(
                impl.cross_entropy_grad, reference.cross_entropy_grad, logits, labels, eps
            )
        diff.assert_same(impl.cross_entropy, reference.cross_entropy, logits, labels, 1.0)


@pytest.mark.clause("cost")
def test_memory_is_linear_in_the_logits(impl: ModuleType) -> None:
    n, c = 40, 300
    logits, labels = _data(seed=5, n=n, c=c)
    size = logits.nbytes
    for name in ("softmax", "log_softmax", "cross_entropy", "cross_entropy_grad"):
        fn = getattr(impl, name)
        args = (logits,) if name in ("softmax", "log_softmax") else (logits, labels, 0.1)
        fn(*args)  # warm up (imports, caches) outside the measurement
        tracemalloc.start()
        try:
            fn(*args)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak <= 16 * size, (
            f"{name} on ({n}, {c}) logits ({size // 1024} KiB) peaked at {peak // 1024} KiB of "
            "new memory: the spec asks for O(N * C) memory (a few arrays of the logits' size), "
            "not an (N, C, C) Jacobian or a (C, C) matrix per sample"
        )
