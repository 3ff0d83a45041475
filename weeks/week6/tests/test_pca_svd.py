"""Tests of week6.pca_svd: variances, subspaces, centring, reconstruction and the sign convention.

The oracle is the eigendecomposition of ``np.cov`` (compared up to sign: subspaces and
variances) and scikit-learn's ``PCA``, which uses the same sign convention.
Differential tests judge ``fit`` against the reference solution (``reference``) on
Hypothesis-drawn integer data (constant columns, duplicate rows, rank deficiency, zero variance),
comparing what the spec makes unique: variances, singular values, means, ratios, and each
component whose variance is separated from the others (else the subspace they span).
Run: ``pytest weeks/week6/tests/test_pca_svd.py``.
"""

from __future__ import annotations

import functools
import tracemalloc
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.decomposition import PCA as SkPCA

from grader import differential as diff


def _data(seed: int, n: int = 60, d: int = 5, offset: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scales = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.25, 0.1][:d])
    basis, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (rng.normal(size=(n, d)) * scales) @ basis.T + offset + rng.normal(size=d)


def _eig(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, vectors = np.linalg.eigh(np.cov(X, rowvar=False))
    return values[::-1], vectors[:, ::-1].T  # descending; rows are eigenvectors


def _fit(impl: ModuleType, X: np.ndarray, k: int | None) -> object:
    pca = impl.PCA(k)
    assert pca.fit(X) is pca, "fit must return self"
    return pca


@pytest.mark.clause("variance", "components", "fit-self")
@pytest.mark.parametrize("k", [1, 3, 5])
def test_variances_and_subspace_match_the_covariance_eigendecomposition(
    impl: ModuleType, k: int
) -> None:
    X = _data(seed=0)
    pca = _fit(impl, X, k)
    values, vectors = _eig(X)
    ev = np.asarray(pca.explained_variance_)
    np.testing.assert_allclose(
        ev,
        values[:k],
        rtol=1e-9,
        err_msg="explained_variance_ should be the top eigenvalues of np.cov(X, rowvar=False), "
        "i.e. S**2 / (n - 1) of the CENTRED data",
    )
    C = np.asarray(pca.components_)
    assert C.shape == (k, 5), f"components_ must have shape ({k}, 5), got {C.shape}"
    overlap = np.abs(C @ vectors[:k].T)  # sign-free comparison
    np.testing.assert_allclose(
        overlap,
        np.eye(k),
        atol=1e-7,
        err_msg="each component must be (up to sign) the matching eigenvector of the covariance "
        "matrix; |components_ @ eigenvectors.T| should be the identity. Rows of Vt, not "
        "columns, are the components",
    )
    np.testing.assert_allclose(C @ C.T, np.eye(k), atol=1e-10, err_msg="components_ orthonormal")


@pytest.mark.clause("ratio", "k-default")
def test_explained_variance_ratio_uses_the_total_variance(impl: ModuleType) -> None:
    X = _data(seed=1)
    values, _ = _eig(X)
    ratio = np.asarray(_fit(impl, X, 2).explained_variance_ratio_)
    want = values[:2] / values.sum()
    np.testing.assert_allclose(
        ratio,
        want,
        rtol=1e-9,
        err_msg=f"with 2 of 5 components kept the ratios are {want.round(4)} (sum "
        f"{want.sum():.4f} < 1): divide by the TOTAL variance, not by the kept variance",
    )
    full = np.asarray(_fit(impl, X, None).explained_variance_ratio_)
    assert full.sum() == pytest.approx(1.0), "keeping every component, the ratios sum to 1"


@pytest.mark.clause("centred", "mean")
def test_data_is_centred(impl: ModuleType) -> None:
    X = _data(seed=2)
    shifted = X + np.array([500.0, -300.0, 200.0, 1000.0, -50.0])
    a, b = _fit(impl, X, 3), _fit(impl, shifted, 3)
    np.testing.assert_allclose(
        np.asarray(b.components_),
        np.asarray(a.components_),
        atol=1e-8,
        err_msg="adding a constant to every row must not change the components: centre X "
        "(subtract the column means) before the SVD",
    )
    np.testing.assert_allclose(np.asarray(b.explained_variance_), a.explained_variance_)
    np.testing.assert_allclose(np.asarray(b.mean_), shifted.mean(axis=0), err_msg="mean_")


@pytest.mark.clause("sign", "singular-values")
def test_matches_sklearn_including_signs(impl: ModuleType) -> None:
    for seed in (3, 4, 5):
        X = _data(seed=seed, offset=10.0)
        ours, ref = _fit(impl, X, 4), SkPCA(4, svd_solver="full").fit(X)
        np.testing.assert_allclose(
            np.asarray(ours.components_),
            ref.components_,
            atol=1e-8,
            err_msg="components_ differ from sklearn (same sign convention: the entry of "
            "largest absolute value of each component is positive)",
        )
        np.testing.assert_allclose(np.asarray(ours.singular_values_), ref.singular_values_)


@pytest.mark.clause("sign")
@pytest.mark.parametrize("seed", [6, 7, 8, 9])
def test_sign_convention_is_deterministic(impl: ModuleType, seed: int) -> None:
    X = _data(seed=seed)
    a, b = _fit(impl, X, None), _fit(impl, -X, None)
    C = np.asarray(a.components_)
    biggest = C[np.arange(len(C)), np.abs(C).argmax(axis=1)]
    assert (biggest > 0).all(), (
        f"the largest-magnitude entry of every component must be positive, got {biggest.round(3)}"
        ": flip the sign of a row of Vt (and of the matching column of U) when it is negative"
    )
    np.testing.assert_allclose(
        np.asarray(b.components_),
        C,
        atol=1e-8,
        err_msg="PCA of -X must give the same components as PCA of X (sign convention)",
    )


@pytest.mark.clause("transform", "fit-transform")
def test_transform_projects_new_data_on_the_components(impl: ModuleType) -> None:
    X = _data(seed=10)
    pca = _fit(impl, X, 3)
    Z = np.asarray(pca.fit_transform(X))
    assert Z.shape == (60, 3), f"fit_transform of (60, 5) with k=3 is (60, 3), got {Z.shape}"
    np.testing.assert_allclose(
        np.cov(Z, rowvar=False),
        np.diag(np.asarray(pca.explained_variance_)),
        atol=1e-8,
        err_msg="the projected training data must be uncorrelated with variances "
        "explained_variance_",
    )
    new = _data(seed=11, n=7)
    want = (new - X.mean(axis=0)) @ np.asarray(pca.components_).T
    np.testing.assert_allclose(
        np.asarray(pca.transform(new)),
        want,
        atol=1e-9,
        err_msg="transform(new_X) must be (new_X - mean_) @ components_.T with the TRAINING mean",
    )


@pytest.mark.clause("inverse")
@pytest.mark.parametrize("k", [1, 2, 4, 5])
def test_reconstruction_error_equals_the_discarded_variance(impl: ModuleType, k: int) -> None:
    X = _data(seed=12, offset=3.0)
    pca = _fit(impl, X, k)
    back = np.asarray(pca.inverse_transform(pca.transform(X)))
    assert back.shape == X.shape, f"inverse_transform must return shape {X.shape}, got {back.shape}"
    error = ((X - back) ** 2).sum() / (len(X) - 1)
    values, _ = _eig(X)
    assert error == pytest.approx(values[k:].sum(), rel=1e-7, abs=1e-9), (
        f"with k={k}, sum of squared reconstruction errors / (n - 1) should equal the discarded "
        f"variance {values[k:].sum():.6f}, got {error:.6f}. inverse_transform adds mean_ back"
    )


def _bad(shape: tuple[int, ...], k: int | None, problem: str, clause: str) -> Any:
    return pytest.param(shape, k, problem, marks=pytest.mark.clause(clause), id=problem)


@pytest.mark.parametrize(
    ("shape", "k", "problem"),
    [
        _bad((10, 3), 0, "n_components=0", "k-range"),
        _bad((10, 3), -1, "n_components=-1", "k-range"),
        _bad((10, 3), 4, "n_components=4 > 3 features", "k-range"),
        _bad((2, 5), 3, "n_components=3 > 2 samples", "k-range"),
        _bad((1, 3), None, "one sample", "x-shape"),
        _bad((1, 3), 1, "one sample, n_components=1", "x-shape"),
        _bad((6,), None, "1-D X", "x-shape"),
        _bad((4, 3, 2), None, "3-D X", "x-shape"),
    ],
)
def test_bad_settings_raise_value_error(
    impl: ModuleType, shape: tuple[int, int], k: int | None, problem: str
) -> None:
    X = np.random.default_rng(13).normal(size=shape)
    with pytest.raises(ValueError):
        impl.PCA(k).fit(X)
        pytest.fail(f"fit should raise ValueError for {problem}", pytrace=False)


# -- differential ------------------------------------------------------------------------------
def _fitted(module: ModuleType, X: np.ndarray, k: int | None) -> dict[str, np.ndarray]:
    pca = module.PCA(k)
    assert pca.fit(X) is pca, "fit must return self"
    names = ("mean_", "components_", "explained_variance_", "explained_variance_ratio_")
    return {name: np.asarray(getattr(pca, name)) for name in (*names, "singular_values_")}


def _judge(X: np.ndarray) -> Callable[[Any, Any], str | None]:
    """``compare`` of two fitted PCAs: the quantities the spec makes unique."""
    smax = float(np.linalg.svd(X - X.mean(axis=0), compute_uv=False).max(initial=0.0))
    n = X.shape[0]
    tol_s = 1e-12 * (1.0 + smax) * (1 + sum(X.shape))  # backward-stable SVD: eps * ||Xc||
    tol_v = 3 * tol_s * (1.0 + smax) / (n - 1)

    def compare(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> str | None:
        for name, atol in (
            ("mean_", 1e-12 * (1.0 + np.abs(X).max())),
            ("singular_values_", tol_s),
            ("explained_variance_", tol_v),
            ("explained_variance_ratio_", 1e-9),
        ):
            found = diff.same(got[name], want[name], rtol=1e-9, atol=atol, path=name)
            if found:
                return found
        C, W, S = got["components_"], want["components_"], want["singular_values_"]
        if C.shape != W.shape:
            return f"components_: expected shape {W.shape}, got {C.shape}"
        if not np.allclose(C @ C.T, np.eye(len(C)), atol=1e-9):
            return f"components_ rows must be orthonormal, got\n{C}"
        # group the kept directions by (numerically) equal singular values; zero ones are free
        gap = 1e-6 * (1.0 + smax)
        start = 0
        for end in range(1, len(S) + 1):
            if end < len(S) and S[end - 1] - S[end] <= gap:
                continue
            block = slice(start, end)
            start = end
            if S[block.start] <= gap:
                continue  # null directions: any orthonormal completion is right
            if block.stop - block.start > 1:  # tied variances: the same subspace
                if not np.allclose(C[block].T @ C[block], W[block].T @ W[block], atol=1e-6):
                    return f"components_ {block.start}..{block.stop - 1}: wrong subspace"
                continue
            i = block.start
            top = np.sort(np.abs(W[i]))[::-1]
            sign_tie = len(top) > 1 and top[0] - top[1] <= 1e-9
            ok = np.allclose(C[i], W[i], atol=1e-6)
            if not ok and not (sign_tie and np.allclose(C[i], -W[i], atol=1e-6)):
                return (
                    f"components_[{i}]: expected {W[i].round(6).tolist()}, got "
                    f"{C[i].round(6).tolist()} (the direction of variance "
                    f"{S[i] ** 2 / (n - 1):.6g}, largest |entry| positive)"
                )
        return None

    return compare


@st.composite
def _pca_case(draw: st.DrawFn) -> tuple[np.ndarray, int | None]:
    n, d = draw(st.integers(2, 7)), draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (n, d), elements=st.integers(-4, 4).map(float)))
    if draw(st.booleans()):
        X[:, draw(st.integers(0, d - 1))] = draw(st.sampled_from([0.0, 3.0, -100.0]))
    if draw(st.booleans()):
        X = X * draw(st.sampled_from([1e-3, 1e3]))
    k = draw(st.one_of(st.none(), st.integers(1, min(n, d))))
    return X, k


@pytest.mark.clause(
    "centred", "mean", "components", "variance", "ratio", "ratio-zero", "singular-values",
    "sign", "k-default", "fit-self",
)  # fmt: skip
@given(case=_pca_case())
@example(case=(np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]), 1))
@example(case=(np.full((4, 3), 7.0), None))
@example(case=(np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]), 2))
@example(case=(np.array([[0.0, 2.0], [0.0, -2.0], [1.0, 0.0], [-1.0, 0.0]]), 1))
def test_fit_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple[np.ndarray, int | None]
) -> None:
    X, k = case
    diff.assert_same(
        functools.partial(_fitted, impl), functools.partial(_fitted, reference), X, k,
        compare=_judge(X),
    )  # fmt: skip


def _projections(module: ModuleType, mean: Any, C: Any, X: Any, Z: Any) -> Any:
    pca = module.PCA(C.shape[0])
    pca.mean_, pca.components_ = mean, C
    return pca.transform(X), pca.inverse_transform(Z)


@pytest.mark.clause("transform", "inverse")
@given(
    X=diff.float_arrays(min_dims=2, max_dims=2, min_side=0, max_side=4, magnitude=1e3),
    k=st.integers(1, 4),
)
def test_transform_and_inverse_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, X: np.ndarray, k: int
) -> None:
    d = X.shape[1]
    C = np.linalg.qr(np.cos(np.arange(1, d * d + 1)).reshape(d, d))[0].T[: min(k, d)]
    mean = np.linspace(-2.0, 3.0, d)
    Z = X[:, : C.shape[0]]
    # (X - mean) @ C.T: a few ulps of |X| * d, whatever the evaluation order
    atol = 1e-13 * (1.0 + np.abs(X).max(initial=0.0)) * (1 + d)
    diff.assert_same(
        functools.partial(_projections, impl), functools.partial(_projections, reference),
        mean, C, X, Z, rtol=1e-9, atol=atol,
    )  # fmt: skip


@pytest.mark.clause("fit-transform")
@pytest.mark.parametrize("k", [1, None])
def test_fit_transform_is_fit_then_transform(impl: ModuleType, k: int | None) -> None:
    X = _data(seed=14, n=9, d=3, offset=5.0)
    Z = np.asarray(impl.PCA(k).fit_transform(X))
    want = np.asarray(impl.PCA(k).fit(X).transform(X))
    np.testing.assert_allclose(
        Z, want, atol=1e-12, err_msg="fit_transform(X) != fit(X).transform(X)"
    )


@pytest.mark.clause("complexity")
def test_memory_is_a_thin_svd(impl: ModuleType) -> None:
    X = _data(seed=15, n=1500, d=4)
    impl.PCA(2).fit(X[:50])  # warm up
    tracemalloc.start()
    try:
        impl.PCA(2).fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 20 * X.nbytes, (
        f"fit of a (1500, 4) X ({X.nbytes // 1024} KiB) peaked at {peak // 1024} KiB: a full "
        "SVD builds a 1500 x 1500 U (17 MiB). Use np.linalg.svd(Xc, full_matrices=False)"
    )
