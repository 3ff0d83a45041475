"""Tests of week6.logistic_regression: stable sigmoid and log-loss, gradient, fit, no bias penalty.

scikit-learn's ``LogisticRegression`` (lbfgs, same objective with ``C = 1 / (l2 * n)``, bias not
penalised) is the oracle for ``fit``; ``gradient`` is checked against finite differences of your
own ``loss``. Run: ``pytest weeks/week6/tests/test_logistic_regression.py``.
"""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression as SkLogisticRegression


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


def test_predict_uses_half_as_threshold(impl: ModuleType) -> None:
    model = impl.LogisticRegression()
    model.coef_, model.intercept_ = np.array([1.0]), 0.0
    X = np.array([[-0.1], [0.0], [0.1]])
    got = np.asarray(model.predict(X)).tolist()
    assert got == [0, 1, 1], (
        f"predict at z = -0.1, 0, 0.1 should be [0, 1, 1] (p >= 0.5), got {got}"
    )


@pytest.mark.parametrize(
    ("X", "y", "problem"),
    [
        (np.zeros(4), np.array([0, 1, 0, 1]), "1-D X"),
        (np.zeros((4, 2)), np.array([0, 1, 0]), "3 labels for 4 rows"),
        (np.zeros((4, 2)), np.array([0, 1, 2, 1]), "label 2"),
        (np.zeros((4, 2)), np.array([-1, 1, -1, 1]), "labels -1/1"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_fit_rejects_bad_inputs(
    impl: ModuleType, X: np.ndarray, y: np.ndarray, problem: str
) -> None:
    with pytest.raises(ValueError):
        impl.LogisticRegression(n_iter=5).fit(X, y)
        pytest.fail(f"fit should raise ValueError for {problem}", pytrace=False)
