"""Tests of week6.naive_bayes: GaussianNB against sklearn.naive_bayes.GaussianNB.

Fitted attributes, log-probabilities and predictions must match scikit-learn, including test
points far from the data (densities underflow to 0 there, log-densities do not) and features
that are constant inside a class (variance smoothing). Run:
``pytest weeks/week6/tests/test_naive_bayes.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB as SkGaussianNB


def _data(seed: int, n: int = 120, d: int = 4, k: int = 3):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    centres = rng.normal(0, 3, size=(k, d))
    scales = rng.uniform(0.5, 2.0, size=(k, d))
    X = centres[y] + scales[y] * rng.standard_normal((n, d))
    return X, y


def _close(got: object, want: np.ndarray, what: str, rtol: float = 1e-9, atol: float = 1e-8):
    got = np.asarray(got)
    assert got.shape == np.shape(want), f"{what}: expected shape {np.shape(want)}, got {got.shape}"
    assert np.isfinite(got).all(), f"{what}: contains NaN or inf"
    assert np.allclose(got, want, rtol=rtol, atol=atol), (
        f"{what}: differs from scikit-learn by up to {np.max(np.abs(got - want)):.3g}"
    )


@pytest.mark.parametrize("seed", range(3))
def test_fitted_attributes_match_sklearn(impl: ModuleType, seed: int) -> None:
    X, y = _data(seed)
    ours = impl.GaussianNB().fit(X, y)
    ref = SkGaussianNB().fit(X, y)
    assert np.array_equal(ours.classes_, ref.classes_), (
        f"classes_ must be the sorted unique labels {ref.classes_}, got {ours.classes_}"
    )
    _close(ours.class_prior_, ref.class_prior_, "class_prior_ (class count / n)")
    _close(ours.theta_, ref.theta_, "theta_ (per-class means)")
    assert np.isclose(ours.epsilon_, ref.epsilon_, rtol=1e-12), (
        f"epsilon_ = var_smoothing * max_j var(X[:, j]) over the WHOLE training set is "
        f"{ref.epsilon_:.6g}, got {ours.epsilon_:.6g}"
    )
    _close(ours.var_, ref.var_, "var_ (per-class BIASED variances + epsilon_)")


def test_fit_returns_self(impl: ModuleType) -> None:
    X, y = _data(0)
    model = impl.GaussianNB()
    assert model.fit(X, y) is model, "fit must return self (so GaussianNB().fit(X, y) chains)"


@pytest.mark.parametrize("seed", range(3))
def test_log_proba_and_predictions_match_sklearn(impl: ModuleType, seed: int) -> None:
    X, y = _data(seed)
    X_test, _ = _data(seed + 100, n=50)
    ours = impl.GaussianNB().fit(X, y)
    ref = SkGaussianNB().fit(X, y)
    _close(ours.predict_log_proba(X_test), ref.predict_log_proba(X_test), "predict_log_proba")
    _close(ours.predict_proba(X_test), ref.predict_proba(X_test), "predict_proba")
    got = np.asarray(ours.predict(X_test))
    assert np.array_equal(got, ref.predict(X_test)), (
        f"predict differs from scikit-learn on {np.sum(got != ref.predict(X_test))} of 50 rows"
    )


def test_far_away_points_do_not_underflow(impl: ModuleType) -> None:
    X, y = _data(7)
    far = np.array([[60.0, -80.0, 50.0, 90.0], [-1e3, 1e3, 0.0, 5.0], [1e4, 1e4, 1e4, 1e4]])
    ours = impl.GaussianNB().fit(X, y)
    ref = SkGaussianNB().fit(X, y)
    with np.errstate(all="ignore"):
        log_proba = np.asarray(ours.predict_log_proba(far))
        proba = np.asarray(ours.predict_proba(far))
    assert np.isfinite(log_proba).all() and np.isfinite(proba).all(), (
        "points far from the data: every class density underflows to 0.0, so products of "
        "densities give 0/0 = NaN. Work with log-densities and a stable logsumexp (subtract the "
        f"row max); got log-probabilities {log_proba.round(2).tolist()}"
    )
    _close(log_proba, ref.predict_log_proba(far), "predict_log_proba far from the data", 1e-9, 1e-6)
    assert np.allclose(proba.sum(axis=1), 1.0), "probabilities of each row must sum to 1"
    assert np.array_equal(ours.predict(far), ref.predict(far)), "predict differs far from the data"


def test_constant_feature_within_a_class_is_smoothed(impl: ModuleType) -> None:
    X, y = _data(8)
    X[y == 0, 1] = 2.5  # feature 1 is constant inside class 0: variance 0 before smoothing
    ours = impl.GaussianNB().fit(X, y)
    ref = SkGaussianNB().fit(X, y)
    assert np.all(np.asarray(ours.var_) > 0), (
        "a feature constant inside a class has variance 0: add epsilon_ to every variance"
    )
    X_test, _ = _data(9, n=30)
    with np.errstate(all="ignore"):
        got = ours.predict_log_proba(X_test)
    _close(got, ref.predict_log_proba(X_test), "predict_log_proba with a zero-variance feature")


def test_string_and_sparse_integer_labels(impl: ModuleType) -> None:
    X, y = _data(10, k=3)
    for labels in (np.array(["cat", "dog", "eel"])[y], np.array([3, 7, 42])[y]):
        ours = impl.GaussianNB().fit(X, labels)
        ref = SkGaussianNB().fit(X, labels)
        assert np.array_equal(ours.classes_, ref.classes_), f"classes_ should be {ref.classes_}"
        got = np.asarray(ours.predict(X[:20]))
        assert np.array_equal(got, ref.predict(X[:20])), (
            f"predict must return the original labels ({ref.classes_}), got {got[:5]}..."
        )


def test_custom_var_smoothing(impl: ModuleType) -> None:
    X, y = _data(11)
    ours = impl.GaussianNB(var_smoothing=0.1).fit(X, y)
    ref = SkGaussianNB(var_smoothing=0.1).fit(X, y)
    _close(ours.var_, ref.var_, "var_ with var_smoothing=0.1")
    _close(ours.predict_log_proba(X[:10]), ref.predict_log_proba(X[:10]), "log proba, 0.1")


def test_predict_before_fit_raises(impl: ModuleType) -> None:
    try:
        impl.GaussianNB().predict(np.zeros((2, 3)))
    except NotImplementedError:
        raise  # a stub that still raises NotImplementedError (a RuntimeError) is not started
    except RuntimeError:
        return
    pytest.fail("predict before fit must raise RuntimeError")


def test_wrong_number_of_features_raises(impl: ModuleType) -> None:
    X, y = _data(12, d=4)
    model = impl.GaussianNB().fit(X, y)
    with pytest.raises(ValueError):
        model.predict_log_proba(np.zeros((2, 3)))
        pytest.fail("fitted on 4 features, predicting on 3 must raise ValueError")
