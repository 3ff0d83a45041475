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
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.naive_bayes import GaussianNB as SkGaussianNB

from grader import differential as diff


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


@pytest.mark.clause("classes", "prior", "theta", "epsilon", "var")
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


@pytest.mark.clause("fit-self")
def test_fit_returns_self(impl: ModuleType) -> None:
    X, y = _data(0)
    model = impl.GaussianNB()
    assert model.fit(X, y) is model, "fit must return self (so GaussianNB().fit(X, y) chains)"


@pytest.mark.clause("log-proba", "proba", "predict")
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


@pytest.mark.clause("far-away", "proba")
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


@pytest.mark.clause("var", "epsilon")
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


@pytest.mark.clause("classes", "predict")
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


@pytest.mark.clause("epsilon", "var")
def test_custom_var_smoothing(impl: ModuleType) -> None:
    X, y = _data(11)
    ours = impl.GaussianNB(var_smoothing=0.1).fit(X, y)
    ref = SkGaussianNB(var_smoothing=0.1).fit(X, y)
    _close(ours.var_, ref.var_, "var_ with var_smoothing=0.1")
    _close(ours.predict_log_proba(X[:10]), ref.predict_log_proba(X[:10]), "log proba, 0.1")


@pytest.mark.clause("not-fitted")
def test_predict_before_fit_raises(impl: ModuleType) -> None:
    try:
        impl.GaussianNB().predict(np.zeros((2, 3)))
    except NotImplementedError:
        raise  # a stub that still raises NotImplementedError (a RuntimeError) is not started
    except RuntimeError:
        return
    pytest.fail("predict before fit must raise RuntimeError")


@pytest.mark.clause("n-features")
def test_wrong_number_of_features_raises(impl: ModuleType) -> None:
    X, y = _data(12, d=4)
    model = impl.GaussianNB().fit(X, y)
    with pytest.raises(ValueError):
        model.predict_log_proba(np.zeros((2, 3)))
        pytest.fail("fitted on 4 features, predicting on 3 must raise ValueError")


# -- judged against the reference --------------------------------------------------------------
# Tolerances: means and variances are sums in another order (eps times the data's magnitude);
# a log-probability is a difference of joint log-likelihoods of size M, so it is within a few
# eps * d * M of the reference's. A prediction may differ only on a near-tie (within that
# tolerance); on an EXACT tie (two classes with identical statistics) the first class wins.
EPS = np.finfo(np.float64).eps


def _started(impl: ModuleType) -> None:
    """A valid call first, so a stub's NotImplementedError reads *not started*."""
    impl.GaussianNB().fit(np.array([[0.0], [1.0]]), np.array([0, 1])).predict(np.zeros((1, 1)))


def _run(module: ModuleType, X, y, queries, var_smoothing) -> dict:
    out: dict = {}
    model = module.GaussianNB(var_smoothing=var_smoothing)
    before = diff.call(model.predict_log_proba, np.zeros((1, 1)))
    out["predict before fit"] = type(before.error).__name__ if before.raised else "returned"
    fitted = diff.call(model.fit, X, y)
    if fitted.raised:
        out["fit"] = type(fitted.error).__name__
        return out
    out["fit returns self"] = fitted.value is model
    for name in ("classes_", "class_prior_", "theta_", "var_", "epsilon_"):
        out[name] = getattr(model, name)
    for i, q in enumerate(queries):
        for method in ("predict_log_proba", "predict_proba", "predict"):
            got = diff.call(getattr(model, method), q)
            out[f"{method}(queries[{i}])"] = type(got.error).__name__ if got.raised else got.value
    return out


def _agree(X, queries):
    def compare(got: dict, want: dict) -> str | None:
        for key, w in want.items():
            if key not in got:
                return f"{key}: missing"
            g = got[key]
            if isinstance(w, (str, bool)) or key == "classes_":
                if not (isinstance(g, type(w)) and (np.array_equal(g, w) if key == "classes_"
                                                    else g == w)):  # fmt: skip
                    return f"{key}: expected {diff.describe(w)}, got {diff.describe(g)}"
                continue
            if isinstance(g, str):
                return f"{key}: raised {g}; the reference returns {diff.describe(w)}"
            big = float(np.abs(X).max(initial=0.0)) + 1.0
            if key in ("class_prior_", "theta_", "var_", "epsilon_"):
                atol = {"class_prior_": 0.0, "theta_": 1e-12 * big}.get(key, 1e-12 * big * big)
                found = diff.same(g if key != "epsilon_" else float(g), w, rtol=1e-9, atol=atol,
                                  path=key)  # fmt: skip
            elif key.startswith("predict("):
                i = int(key.split("[")[1].split("]")[0])
                lp = want[f"predict_log_proba(queries[{i}])"]
                found = _same_prediction(g, w, lp, want["classes_"], key)
            else:
                jll_scale = float(np.abs(want[key.replace("predict_proba", "predict_log_proba")]
                                         ).max(initial=0.0))  # fmt: skip
                jll_scale += float((np.abs(queries[0]).max(initial=0.0) + big) ** 2)
                atol = 64 * EPS * (X.shape[1] + 1) * jll_scale
                found = diff.same(g, w, rtol=1e-9, atol=atol, path=key)
            if found:
                return found
        return None

    return compare


def _same_prediction(got, want, log_proba, classes, key) -> str | None:
    if not isinstance(got, np.ndarray) or got.shape != want.shape:
        return f"{key}: expected {diff.describe(want)}, got {diff.describe(got)}"
    for row, (g, w) in enumerate(zip(got.tolist(), want.tolist(), strict=True)):
        if g == w:
            continue
        where = np.flatnonzero(classes == g)
        if not where.size:
            return f"{key}: row {row} predicts {g!r}, which is not in classes_"
        mine, best = log_proba[row, where[0]], log_proba[row].max()
        if mine == best or mine < best - 1e-9 * (1.0 + abs(best)):
            return (
                f"{key}: row {row} should be {w!r} (classes_[argmax jll], the first class on a "
                f"tie), got {g!r}"
            )
    return None


@st.composite
def _problems(draw):
    n = draw(st.integers(2, 10))
    d = draw(st.integers(1, 3))
    # a grid of quarters: some spread (epsilon_ > 0, so every var_ > 0), many repeated values
    X = draw(hnp.arrays(np.int64, (n, d), elements=st.integers(-40, 40))) / 4.0
    if np.var(X, axis=0).max() == 0:
        X[0, 0] += 1.0
    labels = draw(st.sampled_from(["int", "str", "dup"]))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 2)))
    if labels == "str":
        y = np.array(["cat", "dog", "eel"])[y]
    elif labels == "dup" and n >= 2:  # two classes with identical statistics: exact ties
        X = np.concatenate([X, X])
        y = np.concatenate([np.zeros(n, int), np.ones(n, int)])
    queries = [
        draw(hnp.arrays(np.float64, (draw(st.integers(0, 4)), d), elements=st.floats(-1e4, 1e4))),
        draw(st.sampled_from([np.zeros((2, d + 1)), np.zeros(d), np.full((1, d), 1e3)])),
    ]
    flaw = draw(st.sampled_from(["none"] * 8 + ["X 1-D", "y 2-D", "y short", "empty"]))
    if flaw == "X 1-D":
        X = X[:, 0]
    elif flaw == "y 2-D":
        y = y[:, None]
    elif flaw == "y short":
        y = y[:-1]
    elif flaw == "empty":
        X, y = X[:0], y[:0]
    return X, y, queries


SPEC_EXAMPLE = (
    np.array([[0.0], [0.2], [3.0], [3.2]]),
    np.array(["a", "a", "b", "b"]),
    [np.array([[0.5], [100.0], [1.6]]), np.zeros(1)],
)
TWIN_CLASSES = (  # classes 0 and 1 have the same statistics: every prediction is an exact tie
    np.array([[0.0, 1.0], [1.0, 5.0], [0.0, 1.0], [1.0, 5.0]]),
    np.array([1, 1, 0, 0]),
    [np.array([[0.5, 3.0], [9.0, 9.0]]), np.zeros((1, 3))],
)


@pytest.mark.clause(
    "classes", "prior", "theta", "epsilon", "var", "fit-self", "fit-errors", "log-proba",
    "far-away", "proba", "predict", "not-fitted", "n-features",
)  # fmt: skip
@given(problem=_problems(), var_smoothing=st.sampled_from([1e-9, 1e-3, 0.5]))
@example(problem=SPEC_EXAMPLE, var_smoothing=1e-9)
@example(problem=TWIN_CLASSES, var_smoothing=1e-9)
def test_model_agrees_with_the_reference(impl, reference, problem, var_smoothing) -> None:
    _started(impl)
    X, y, queries = problem
    with np.errstate(all="ignore"):
        diff.assert_same(
            lambda: _run(impl, X, y, queries, var_smoothing),
            lambda: _run(reference, X, y, queries, var_smoothing),
            compare=_agree(X, queries),
        )
