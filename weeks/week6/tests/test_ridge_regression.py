"""Tests of week6.ridge_regression: closed form and gradient descent against scikit-learn, the
unpenalised intercept, and a rank-deficient X.

``sklearn.linear_model.Ridge`` is the oracle; ``np.linalg.lstsq`` gives the minimum-norm least
squares solution for the rank-deficient case.
Run: ``pytest weeks/week6/tests/test_ridge_regression.py``.
"""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import pytest
from sklearn.linear_model import Ridge


def _data(seed: int, n: int = 60, d: int = 4, offset: float = 50.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + rng.normal(0, 3, size=d)  # features with non-zero means
    y = X @ rng.normal(0, 2, size=d) + offset + rng.normal(size=n)
    return X, y


def _sklearn(X, y, alpha: float, fit_intercept: bool) -> tuple[np.ndarray, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    return model.coef_, float(model.intercept_)


def _check(got, want, what: str, atol: float = 1e-8) -> None:
    coef, intercept = got
    assert np.asarray(coef).shape == want[0].shape, (
        f"{what}: coef must have shape {want[0].shape}, got {np.asarray(coef).shape}"
    )
    np.testing.assert_allclose(
        np.asarray(coef), want[0], atol=atol, rtol=1e-7, err_msg=f"{what}: coef vs sklearn Ridge"
    )
    assert float(intercept) == pytest.approx(want[1], abs=max(atol, 1e-7)), (
        f"{what}: intercept should be {want[1]:.6f} (sklearn; centre X and y, the intercept is "
        f"y_mean - x_mean @ coef and is not penalised), got {intercept}"
    )


@pytest.mark.parametrize("alpha", [0.0, 0.1, 1.0, 25.0])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_closed_form_matches_sklearn(impl: ModuleType, alpha: float, fit_intercept: bool) -> None:
    X, y = _data(0)
    got = impl.fit_ridge(X, y, alpha=alpha, fit_intercept=fit_intercept)
    _check(got, _sklearn(X, y, alpha, fit_intercept), f"fit_ridge(alpha={alpha}, {fit_intercept=})")
    if not fit_intercept:
        assert got[1] == 0.0, f"fit_intercept=False must give intercept 0.0, got {got[1]}"


def test_intercept_is_not_penalised(impl: ModuleType) -> None:
    X, y = _data(1, offset=100.0)
    coef, intercept = impl.fit_ridge(X, y, alpha=1e9)
    assert np.abs(np.asarray(coef)).max() < 1e-3, "a huge alpha shrinks every coefficient to ~0"
    assert float(intercept) == pytest.approx(float(y.mean()), rel=1e-6), (
        f"with alpha = 1e9 the coefficients vanish but the intercept stays at mean(y) = "
        f"{y.mean():.4f} because it is not penalised; got {intercept}"
    )


def test_rank_deficient_x_gives_the_minimum_norm_solution(impl: ModuleType) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=40)
    X = np.column_stack([x, x, rng.normal(size=40)])  # columns 0 and 1 are identical
    y = 3 * x + 0.5 * X[:, 2] + 7 + rng.normal(0, 0.1, size=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            coef, intercept = impl.fit_ridge(X, y, alpha=0.0)
        except np.linalg.LinAlgError as exc:
            pytest.fail(
                f"fit_ridge(alpha=0) on a rank-deficient X raised LinAlgError ({exc}); XᵀX is "
                "singular, so use np.linalg.lstsq (minimum-norm solution), not inv or solve",
                pytrace=False,
            )
    coef = np.asarray(coef)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    want = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    assert np.isfinite(coef).all(), f"coef must be finite, got {coef}"
    np.testing.assert_allclose(
        coef,
        want,
        atol=1e-8,
        err_msg="two identical columns: the minimum-norm solution splits their weight equally "
        "(about 1.5 each); np.linalg.lstsq returns it",
    )
    assert float(intercept) == pytest.approx(float(y.mean() - X.mean(axis=0) @ want), abs=1e-8)


@pytest.mark.parametrize("alpha", [0.0, 2.0, 30.0])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_gradient_descent_matches_sklearn(
    impl: ModuleType, alpha: float, fit_intercept: bool
) -> None:
    X, y = _data(3, d=3)
    got = impl.fit_ridge_gd(X, y, alpha=alpha, fit_intercept=fit_intercept, n_iter=3000)
    _check(
        got,
        _sklearn(X, y, alpha, fit_intercept),
        f"fit_ridge_gd(alpha={alpha}, {fit_intercept=}, n_iter=3000)",
        atol=1e-6,
    )


def test_gradient_descent_with_an_explicit_step(impl: ModuleType) -> None:
    X, y = _data(4, d=2, offset=0.0)
    lr = 0.5 / (2 * (np.linalg.norm(X - X.mean(axis=0), 2) ** 2 + 1.0) / len(y))
    got = impl.fit_ridge_gd(X, y, alpha=1.0, n_iter=5000, lr=lr)
    _check(got, _sklearn(X, y, 1.0, True), f"fit_ridge_gd with lr={lr:.4f}", atol=1e-6)
    one = impl.fit_ridge_gd(X, y, alpha=1.0, n_iter=1, lr=lr)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    first_step = -lr * 2 * (Xc.T @ (-yc)) / len(y)
    np.testing.assert_allclose(
        np.asarray(one[0]),
        first_step,
        rtol=1e-9,
        err_msg="one step from coef = 0 on the centred data: coef = -lr * 2 Xcᵀ(0 - yc) / n",
    )


@pytest.mark.parametrize(
    ("X", "y", "alpha", "problem"),
    [
        (np.zeros(5), np.zeros(5), 1.0, "1-D X"),
        (np.zeros((5, 2)), np.zeros(4), 1.0, "5 rows but 4 targets"),
        (np.zeros((5, 2)), np.zeros(5), -1.0, "alpha=-1"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_inputs_raise_value_error(
    impl: ModuleType, X: np.ndarray, y: np.ndarray, alpha: float, problem: str
) -> None:
    for fn in (impl.fit_ridge, impl.fit_ridge_gd):
        with pytest.raises(ValueError):
            fn(X, y, alpha)
            pytest.fail(f"{fn.__name__} should raise ValueError for {problem}", pytrace=False)
