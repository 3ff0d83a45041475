"""Tests of week6.logistic_regression: stable sigmoid and log-loss, gradient, fit, no bias penalty.

scikit-learn's ``LogisticRegression`` (lbfgs, same objective with ``C = 1 / (l2 * n)``, bias not
penalised) is the oracle for ``fit``; ``gradient`` is checked against finite differences of your
own ``loss``. Differential tests judge the same calls against the reference solution
(``reference``) on Hypothesis-drawn data (constant columns, ``d = 0``, extreme logits, invalid
labels and shapes, non-default ``lr``, ``n_iter`` and ``l2``).
Run: ``pytest weeks/week6/tests/test_logistic_regression.py``.
"""

from __future__ import annotations

import functools
import warnings
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from grader import differential as diff


def _noisy(seed: int, n: int = 200, bias: float = -1.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    p = expit(X @ np.array([1.5, -2.0, 0.5]) + bias)
    return X, (rng.random(n) < p).astype(np.int64)


def _reference_loss(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, l2: float) -> float:
    z = X @ w + b
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * w @ w)


def _sklearn(X: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    model = SkLogisticRegression(C=1.0 / (l2 * len(y)), tol=1e-12, max_iter=10_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model.coef_[0], float(model.intercept_[0])


# -- sigmoid -----------------------------------------------------------------------------------
@pytest.mark.clause("sigmoid")
def test_sigmoid_matches_scipy_and_stays_finite(impl: ModuleType) -> None:
    z = np.array([-1000.0, -745.0, -50.0, -1.0, 0.0, 1e-3, 2.0, 40.0, 710.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = np.asarray(impl.sigmoid(z))
    assert got.shape == z.shape, f"sigmoid must keep the shape {z.shape}, got {got.shape}"
    assert not np.isnan(got).any(), (
        f"sigmoid({z.tolist()}) produced nan at z = {z[np.isnan(got)].tolist()}: "
        "exp(z) / (1 + exp(z)) is inf / inf for large z; pick the formula by the sign of z"
    )
    np.testing.assert_allclose(got, expit(z), rtol=1e-12, atol=1e-300, err_msg="sigmoid(z)")


# -- loss and gradient -------------------------------------------------------------------------
@pytest.mark.clause("objective", "no-bias-penalty")
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_loss_matches_reference(impl: ModuleType, l2: float) -> None:
    X, y = _noisy(seed=1, n=50)
    model = impl.LogisticRegression(l2=l2)
    model.coef_, model.intercept_ = np.array([0.4, -0.7, 1.1]), 0.25
    got = model.loss(X, y)
    want = _reference_loss(X, y, model.coef_, model.intercept_, l2)
    assert got == pytest.approx(want, rel=1e-10), (
        f"loss with l2={l2} should be {want:.10f}, got {got}: mean log-loss plus "
        "l2 / 2 * ||coef_||^2 (the bias is not penalised)"
    )


@pytest.mark.clause("stable-loss")
def test_loss_is_finite_for_confident_mistakes(impl: ModuleType) -> None:
    X = np.array([[1.0], [-1.0], [1.0]])
    y = np.array([0, 1, 1])
    model = impl.LogisticRegression()
    model.coef_, model.intercept_ = np.array([1000.0]), 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = model.loss(X, y)
    want = _reference_loss(X, y, model.coef_, 0.0, 0.0)  # (1000 + 1000 + 0) / 3
    assert np.isfinite(got) and got == pytest.approx(want, rel=1e-9), (
        f"two confident mistakes at |z| = 1000 cost 1000 each, so the loss is {want:.4f}; got "
        f"{got}. log(sigmoid(z)) underflows to log(0); compute the loss from the logits with "
        "np.logaddexp(0, z) - y * z"
    )


@pytest.mark.clause("gradient")
def test_gradient_matches_finite_differences(impl: ModuleType) -> None:
    X, y = _noisy(seed=2, n=40)
    model = impl.LogisticRegression(l2=0.3)
    w0, b0, h = np.array([0.2, -0.5, 0.8]), 0.6, 1e-6
    model.coef_, model.intercept_ = w0.copy(), b0
    grad_w, grad_b = model.gradient(X, y)
    numeric_w = np.zeros(3)
    for j in range(3):
        step = np.eye(3)[j] * h
        model.coef_ = w0 + step
        up = model.loss(X, y)
        model.coef_ = w0 - step
        numeric_w[j] = (up - model.loss(X, y)) / (2 * h)
    model.coef_ = w0
    model.intercept_ = b0 + h
    up = model.loss(X, y)
    model.intercept_ = b0 - h
    numeric_b = (up - model.loss(X, y)) / (2 * h)
    np.testing.assert_allclose(
        np.asarray(grad_w),
        numeric_w,
        atol=1e-7,
        err_msg="grad_w disagrees with finite differences of loss; expected "
        "X.T @ (p - y) / n + l2 * w",
    )
    assert float(grad_b) == pytest.approx(numeric_b, abs=1e-7), (
        f"grad_b should be {numeric_b:.8f} (finite differences: mean(p - y), no penalty term), "
        f"got {grad_b}"
    )


@pytest.mark.clause("gradient", "no-bias-penalty")
def test_bias_gradient_has_no_penalty(impl: ModuleType) -> None:
    X = np.zeros((4, 2))
    y = np.array([1, 1, 1, 0])
    model = impl.LogisticRegression(l2=5.0)
    model.coef_, model.intercept_ = np.zeros(2), 2.0
    _, grad_b = model.gradient(X, y)
    want = float(np.mean(expit(2.0) - y))
    assert float(grad_b) == pytest.approx(want, rel=1e-12), (
        f"with X = 0, b = 2 and l2 = 5 the bias gradient is mean(sigmoid(2) - y) = {want:.6f}; "
        f"got {grad_b}. Do not add l2 * b: the bias is not regularised"
    )


# -- fit -------------------------------------------------------------------------------------
@pytest.mark.clause("fit-steps", "fit-self", "objective")
@pytest.mark.parametrize(("l2", "bias"), [(0.05, -1.0), (1.0, 2.0)], ids=["l2=0.05", "l2=1"])
def test_fit_matches_sklearn(impl: ModuleType, l2: float, bias: float) -> None:
    X, y = _noisy(seed=3, bias=bias)
    model = impl.LogisticRegression(lr=1.0, n_iter=500, l2=l2)
    assert model.fit(X, y) is model, "fit must return self"
    coef, intercept = _sklearn(X, y, l2)
    np.testing.assert_allclose(
        np.asarray(model.coef_),
        coef,
        atol=1e-4,
        err_msg=f"coef_ after fit (l2={l2}) differs from sklearn's optimum of the same objective",
    )
    assert float(model.intercept_) == pytest.approx(intercept, abs=1e-4), (
        f"intercept_ after fit (l2={l2}) should be {intercept:.5f} (sklearn, bias not "
        f"penalised), got {model.intercept_}"
    )


@pytest.mark.clause("no-bias-penalty")
def test_bias_is_not_regularised_on_imbalanced_data(impl: ModuleType) -> None:
    X = np.zeros((10, 2))
    y = np.array([1] * 8 + [0] * 2)
    model = impl.LogisticRegression(lr=1.0, n_iter=300, l2=1.0).fit(X, y)
    want = float(np.log(8 / 2))
    assert float(model.intercept_) == pytest.approx(want, abs=1e-6), (
        f"with uninformative features and 80% positives the optimum bias is logit(0.8) = "
        f"{want:.5f} whatever l2 is; got {model.intercept_}. Only the weights are penalised"
    )
    np.testing.assert_allclose(model.predict_proba(X), 0.8, atol=1e-6)


@pytest.mark.clause("predict", "proba")
def test_fit_separates_separable_data(impl: ModuleType) -> None:
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(-3, 0.5, (30, 2)), rng.normal(3, 0.5, (30, 2))])
    y = np.array([0] * 30 + [1] * 30)
    model = impl.LogisticRegression(lr=0.5, n_iter=300).fit(X, y)
    pred = np.asarray(model.predict(X))
    assert pred.dtype.kind == "i", f"predict must return integer labels, got dtype {pred.dtype}"
    assert (pred == y).all(), f"separable blobs: {(pred != y).sum()} of 60 misclassified"
    proba = np.asarray(model.predict_proba(X))
    assert proba.shape == (60,), f"predict_proba must return shape (60,), got {proba.shape}"
    assert ((proba > 0.5) == (y == 1)).all(), "predict_proba should be > 0.5 exactly on class 1"


@pytest.mark.clause("predict")
def test_predict_uses_half_as_threshold(impl: ModuleType) -> None:
    model = impl.LogisticRegression()
    model.coef_, model.intercept_ = np.array([1.0]), 0.0
    X = np.array([[-0.1], [0.0], [0.1]])
    got = np.asarray(model.predict(X)).tolist()
    assert got == [0, 1, 1], (
        f"predict at z = -0.1, 0, 0.1 should be [0, 1, 1] (p >= 0.5), got {got}"
    )


def _bad(X: np.ndarray, y: np.ndarray, problem: str, clause: str) -> Any:
    return pytest.param(X, y, problem, marks=pytest.mark.clause(clause), id=problem)


@pytest.mark.parametrize(
    ("X", "y", "problem"),
    [
        _bad(np.zeros(4), np.array([0, 1, 0, 1]), "1-D X", "x-2d"),
        _bad(np.zeros((4, 2, 1)), np.array([0, 1, 0, 1]), "3-D X", "x-2d"),
        _bad(np.zeros((4, 1, 2)), np.array([0, 1, 0, 1]), "X of shape (4, 1, 2)", "x-2d"),
        _bad(np.zeros((4, 2)), np.array([0, 1, 0]), "3 labels for 4 rows", "y-shape"),
        _bad(np.zeros((4, 2)), np.array([[0], [1], [0], [1]]), "y of shape (4, 1)", "y-shape"),
        _bad(np.zeros((4, 2)), np.array([0, 1, 2, 1]), "label 2", "y-binary"),
        _bad(np.zeros((4, 2)), np.array([-1, 1, -1, 1]), "labels -1/1", "y-binary"),
        _bad(np.zeros((4, 2)), np.array([0.0, 0.5, 1.0, 1.0]), "label 0.5", "y-binary"),
    ],
)
@pytest.mark.parametrize("method", ["fit", "loss", "gradient"])
def test_bad_inputs_raise_value_error(
    impl: ModuleType, X: np.ndarray, y: np.ndarray, problem: str, method: str
) -> None:
    model = impl.LogisticRegression(n_iter=5)
    model.coef_ = np.zeros(X.shape[-1])
    with pytest.raises(ValueError):
        getattr(model, method)(X, y)
        pytest.fail(f"{method} should raise ValueError for {problem}", pytrace=False)


# -- differential: the same calls, judged against the reference --------------------------------
@pytest.mark.clause("sigmoid")
@given(z=diff.float_arrays(min_dims=0, max_dims=3, magnitude=1000.0))
@example(z=np.array([-1000.0, -745.0, -709.0, 0.0, 36.0, 710.0, 1000.0]))
def test_sigmoid_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, z: np.ndarray
) -> None:
    with warnings.catch_warnings(), np.errstate(over="ignore", under="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # discarded branches may overflow
        # a few ulps; tiny absolute slack where exp(z) is subnormal (z < -708)
        diff.assert_same(impl.sigmoid, reference.sigmoid, z, rtol=1e-12, atol=1e-300)


BAD_Y = [2, -1, 0.5]


@st.composite
def _problem(draw: st.DrawFn, magnitude: float) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: X of shape (n, d) with n >= 1 (d may be 0); y mostly valid 0/1 labels."""
    X = draw(diff.float_arrays(min_dims=2, max_dims=2, min_side=0, magnitude=magnitude))
    if X.shape[0] == 0:
        X = np.zeros((1, X.shape[1]))
    y = draw(hnp.arrays(np.int64, (X.shape[0],), elements=st.integers(0, 1)))
    if draw(st.integers(0, 9)) == 0:  # sometimes a bad label
        y = y.astype(np.float64)
        y[draw(st.integers(0, len(y) - 1))] = draw(st.sampled_from(BAD_Y))
    return X, y


def _loss_and_gradient(module: ModuleType, X: Any, y: Any, w: Any, b: float, l2: float) -> Any:
    model = module.LogisticRegression(l2=l2)
    model.coef_, model.intercept_ = np.array(w, dtype=np.float64), b
    return model.loss(X, y), model.gradient(X, y)


@pytest.mark.clause("objective", "no-bias-penalty", "stable-loss", "gradient", "y-binary", "params")
@given(
    data=_problem(magnitude=100.0),
    w_scale=st.sampled_from([0.0, 0.1, 1.0, 20.0]),
    b=st.sampled_from([0.0, -3.0, 2.5, 500.0]),
    l2=st.sampled_from([0.0, 0.3, 2.0]),
)
@example(data=(np.array([[1.0], [-1.0], [1.0]]), np.array([0, 1, 1])), w_scale=20.0, b=0.0, l2=0.0)
def test_loss_and_gradient_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    data: tuple[np.ndarray, np.ndarray],
    w_scale: float,
    b: float,
    l2: float,
) -> None:
    X, y = data
    d = X.shape[1]
    w = w_scale * np.cos(np.arange(1, d + 1))  # deterministic, mixed signs
    z = X @ w + b
    # the loss and its gradient are means of terms up to |z| and |X|: a different but correct
    # summation order or formula differs by a few ulps of those magnitudes
    big = 1.0 + float(np.abs(z).max(initial=0.0)) + float(np.abs(X).max(initial=0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        diff.assert_same(
            functools.partial(_loss_and_gradient, impl),
            functools.partial(_loss_and_gradient, reference),
            X, y, w, b, l2, rtol=1e-9, atol=1e-13 * big * (1.0 + l2 * w_scale),
        )  # fmt: skip


def _fit(module: ModuleType, X: Any, y: Any, lr: float, n_iter: int, l2: float) -> Any:
    model = module.LogisticRegression(lr=lr, n_iter=n_iter, l2=l2)
    model.coef_, model.intercept_ = np.full(X.shape[1], 7.0), -4.0  # fit must reset these
    returned = model.fit(X, y)
    assert returned is model, "fit must return self"
    assert isinstance(model.intercept_, float), (
        f"intercept_ must be a float, got {type(model.intercept_).__name__}"
    )
    return model.coef_, model.intercept_


@pytest.mark.clause("fit-reset", "fit-steps", "fit-self", "params", "y-binary")
@given(
    data=_problem(magnitude=2.0),
    lr=st.sampled_from([0.05, 0.2, 0.5]),
    n_iter=st.sampled_from([0, 1, 2, 7, 30]),
    l2=st.sampled_from([0.0, 0.5]),
)
@example(data=(np.zeros((10, 2)), np.array([1] * 8 + [0] * 2)), lr=0.5, n_iter=7, l2=0.5)
def test_fit_agrees_with_the_reference_step_by_step(
    impl: ModuleType,
    reference: ModuleType,
    data: tuple[np.ndarray, np.ndarray],
    lr: float,
    n_iter: int,
    l2: float,
) -> None:
    X, y = data
    # |X| <= 2, d <= 6 and lr <= 0.5 keep lr * curvature < 2: gradient descent does not amplify
    # rounding, so an exact re-implementation of the same steps agrees to ~1e-12
    diff.assert_same(
        functools.partial(_fit, impl), functools.partial(_fit, reference),
        X, y, lr, n_iter, l2, rtol=1e-8, atol=1e-10,
    )  # fmt: skip


def _predictions(module: ModuleType, X: Any, w: Any, b: float) -> Any:
    model = module.LogisticRegression()
    model.coef_, model.intercept_ = w, b
    proba, pred = model.predict_proba(X), model.predict(X)
    assert isinstance(pred, np.ndarray) and pred.dtype == np.int64, (
        f"predict must return an int64 array, got {diff.describe(pred)}"
    )
    return proba, pred


@pytest.mark.clause("proba", "predict")
@given(
    X=diff.float_arrays(min_dims=2, max_dims=2, max_side=5, magnitude=1000.0),
    b=st.sampled_from([0.0, -1.0, 0.5, 1000.0]),
)
@example(X=np.array([[-0.1], [0.0], [0.1]]), b=0.0)
def test_predictions_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, X: np.ndarray, b: float
) -> None:
    w = np.where(np.arange(X.shape[1]) % 2 == 0, 1.0, -1.0)
    with warnings.catch_warnings(), np.errstate(over="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        diff.assert_same(
            functools.partial(_predictions, impl), functools.partial(_predictions, reference),
            X, w, b, rtol=1e-12, atol=1e-300,
        )  # fmt: skip


@pytest.mark.clause("vectorised")
def test_each_step_is_vectorised_over_samples(impl: ModuleType) -> None:
    lines = {}
    for n in (8, 800):
        X, y = _noisy(seed=6, n=n)
        model = impl.LogisticRegression(lr=0.1, n_iter=3, l2=0.1)
        model.fit(X, y)  # warm up
        lines[n] = diff.python_lines(lambda X=X, y=y, model=model: model.fit(X, y))
    assert lines[800] <= lines[8] + 200, (
        f"fit (3 steps) ran {lines[8]} Python lines for n = 8 samples but {lines[800]} for "
        "n = 800: a Python loop over the samples. Each step must be a few NumPy operations "
        "on the whole X (X @ w, X.T @ residual)."
    )
