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
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.linear_model import Ridge

from grader import differential as diff


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


@pytest.mark.clause("objective", "intercept", "no-intercept", "ols", "returns")
@pytest.mark.parametrize("alpha", [0.0, 0.1, 1.0, 25.0])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_closed_form_matches_sklearn(impl: ModuleType, alpha: float, fit_intercept: bool) -> None:
    X, y = _data(0)
    got = impl.fit_ridge(X, y, alpha=alpha, fit_intercept=fit_intercept)
    _check(got, _sklearn(X, y, alpha, fit_intercept), f"fit_ridge(alpha={alpha}, {fit_intercept=})")
    if not fit_intercept:
        assert got[1] == 0.0, f"fit_intercept=False must give intercept 0.0, got {got[1]}"


@pytest.mark.clause("intercept")
def test_intercept_is_not_penalised(impl: ModuleType) -> None:
    X, y = _data(1, offset=100.0)
    coef, intercept = impl.fit_ridge(X, y, alpha=1e9)
    assert np.abs(np.asarray(coef)).max() < 1e-3, "a huge alpha shrinks every coefficient to ~0"
    assert float(intercept) == pytest.approx(float(y.mean()), rel=1e-6), (
        f"with alpha = 1e9 the coefficients vanish but the intercept stays at mean(y) = "
        f"{y.mean():.4f} because it is not penalised; got {intercept}"
    )


@pytest.mark.clause("min-norm")
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
    assert float(intercept) == pytest.approx(float(y.mean() - X.mean(axis=0) @ want), abs=1e-8), (
        "the intercept should be y.mean() - X.mean(axis=0) @ coef = "
        f"{float(y.mean() - X.mean(axis=0) @ want):.8f}, got {float(intercept)!r}"
    )


@pytest.mark.clause("gd", "gd-lr")
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


@pytest.mark.clause("gd")
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


@pytest.mark.clause("x-shape", "y-shape", "alpha-range")
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


# -- judged against the reference --------------------------------------------------------------
def _started(impl: ModuleType) -> None:
    """Valid calls first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.fit_ridge(np.eye(2), np.ones(2))
    impl.fit_ridge_gd(np.eye(2), np.ones(2), n_iter=1)


@st.composite
def _regressions(draw, bad: bool = True):
    X = draw(diff.float_arrays(min_dims=2, max_dims=2, min_side=1, max_side=6, magnitude=100.0))
    y = draw(hnp.arrays(np.float64, X.shape[:1], elements=st.floats(-100, 100)))
    if bad:
        flaw = draw(st.sampled_from(["none"] * 8 + ["X 1-D", "X no rows", "y 2-D", "y short"]))
        if flaw == "X 1-D":
            X = X[:, 0]
        elif flaw == "X no rows":
            X, y = X[:0], y[:0]
        elif flaw == "y 2-D":
            y = y[:, None]
        elif flaw == "y short":
            y = y[:-1]
    return X, y


def _valid(X, y) -> bool:
    return X.ndim == 2 and X.shape[0] > 0 and y.shape == (X.shape[0],)


def _optimal(X, y, alpha, fit_intercept):
    """compare=: the learner's (coef, intercept) minimises the objective as well as the
    reference's (relative 1e-9 of the total sum of squares), is the minimum-norm minimiser, and
    its intercept follows the rule. Any correct solver (lstsq, solve, SVD, pinv) passes."""

    def objective(coef, intercept):
        return float(((y - X @ coef - intercept) ** 2).sum() + alpha * (coef**2).sum())

    def compare(got, want) -> str | None:
        if not (isinstance(got, tuple) and len(got) == 2):
            return f"expected (coef, intercept), got {diff.describe(got)}"
        coef, intercept = got
        if not isinstance(coef, np.ndarray) or coef.shape != want[0].shape:
            return f"coef: expected an array of shape {want[0].shape}, got {diff.describe(coef)}"
        if not isinstance(intercept, float):
            return f"intercept: expected a Python float, got {diff.describe(intercept)}"
        if not np.isfinite(coef).all():
            return f"coef must be finite, got {coef}"
        x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
        y_mean = float(y.mean()) if fit_intercept else 0.0
        rule = y_mean - float(x_mean @ coef)
        scale = abs(y_mean) + float(np.abs(x_mean) @ np.abs(coef)) + 1.0
        if not fit_intercept and intercept != 0.0:
            return f"fit_intercept=False: the intercept must be 0.0, got {intercept!r}"
        if abs(intercept - rule) > 1e-9 * scale:
            return (
                f"intercept {intercept!r} should be y_mean - x_mean @ coef = {rule!r} (the "
                "intercept is not penalised: centre X and y)"
            )
        tss = float(((y - y_mean) ** 2).sum()) + 1.0
        mine, best = objective(coef, intercept), objective(*want)
        if mine > best + 1e-9 * tss:
            return (
                f"the objective ||y - X coef - b||^2 + alpha ||coef||^2 is {mine!r} at your "
                f"solution but {best!r} at the reference's {want}"
            )
        if alpha == 0 and (coef**2).sum() > (want[0] ** 2).sum() * (1 + 1e-6) + 1e-12:
            return (
                f"coef {coef} minimises the least squares but its norm exceeds the minimum-norm "
                f"solution's {want[0]} (np.linalg.lstsq gives it)"
            )
        return None

    return compare


@pytest.mark.clause(
    "objective", "intercept", "no-intercept", "ols", "min-norm", "returns", "x-shape", "y-shape",
    "alpha-range",
)  # fmt: skip
@given(
    data=_regressions(),
    alpha=st.sampled_from([0.0, 0.0, 0.5, 3.0, 100.0, -1.0, -1e-9]),
    fit_intercept=st.booleans(),
)
@example(data=(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([1.0, 3, 5, 7])), alpha=0.0,
         fit_intercept=True)  # fmt: skip
@example(data=(np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]]), np.array([1.0, 2, 5])), alpha=0.0,
         fit_intercept=False)  # fmt: skip
@example(data=(np.ones((3, 2)), np.array([1.0, 2, 3])), alpha=0.0, fit_intercept=True)
@example(data=(np.ones((3, 2)), np.array([1.0, 2, 3])), alpha=0.0, fit_intercept=False)
@example(data=(np.zeros((0, 2)), np.zeros(0)), alpha=1.0, fit_intercept=True)
def test_closed_form_agrees_with_the_reference(impl, reference, data, alpha, fit_intercept) -> None:
    _started(impl)
    X, y = data
    compare = _optimal(X, y, alpha, fit_intercept) if _valid(X, y) else None
    with np.errstate(all="ignore"):
        diff.assert_same(
            impl.fit_ridge, reference.fit_ridge, X, y, alpha=alpha, fit_intercept=fit_intercept,
            compare=compare,
        )  # fmt: skip


def _steps(X):
    """compare=: gradient descent is contractive (lr <= 1.9 / L), so different but exact
    arrangements of the same steps stay within ~1e-9 of each other, relative to coef."""

    def compare(got, want) -> str | None:
        if not (isinstance(got, tuple) and len(got) == 2):
            return f"expected (coef, intercept), got {diff.describe(got)}"
        coef, intercept = got
        scale = 1.0 + float(np.abs(want[0]).max(initial=0.0))
        found = diff.same(coef, want[0], rtol=1e-9, atol=1e-9 * scale, path="coef")
        if found:
            return found + " (n_iter steps from coef = 0 on the centred data, lr = 1 / L)"
        if not isinstance(intercept, float):
            return f"intercept: expected a Python float, got {diff.describe(intercept)}"
        big = 1.0 + abs(want[1]) + float(np.abs(X).max(initial=0.0)) * scale * X.shape[1]
        return diff.same(intercept, want[1], rtol=1e-9, atol=1e-9 * big, path="intercept")

    return compare


@pytest.mark.clause("gd", "gd-lr", "intercept", "no-intercept", "returns", "x-shape", "y-shape",
                    "alpha-range")  # fmt: skip
@given(
    data=_regressions(),
    alpha=st.sampled_from([0.0, 0.5, 3.0, -1.0]),
    fit_intercept=st.booleans(),
    n_iter=st.sampled_from([0, 1, 2, 7, 60]),
    step=st.sampled_from([None, None, 0.3, 1.9]),
)
@example(data=(np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0]]), np.array([1.0, 2, 6])), alpha=0.5,
         fit_intercept=True, n_iter=3, step=None)  # fmt: skip
@example(data=(np.eye(3), np.ones((3, 1))), alpha=1.0, fit_intercept=True, n_iter=0, step=None)
def test_gradient_descent_agrees_with_the_reference(
    impl, reference, data, alpha, fit_intercept, n_iter, step
) -> None:
    _started(impl)
    X, y = data
    lr = None
    if step is not None and _valid(X, y) and alpha >= 0:
        Xc = X - X.mean(axis=0) if fit_intercept else X
        L = 2.0 * (np.linalg.norm(Xc, 2) ** 2 + alpha) / len(X)
        lr = step / L if L > 0 else step
    with np.errstate(all="ignore"):
        diff.assert_same(
            impl.fit_ridge_gd, reference.fit_ridge_gd, X, y, alpha=alpha,
            fit_intercept=fit_intercept, n_iter=n_iter, lr=lr,
            compare=_steps(X) if _valid(X, y) else None,
        )  # fmt: skip
