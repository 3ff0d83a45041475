"""Tests of week6.pca_svd: variances, subspaces, centring, reconstruction and the sign convention.

The oracle is the eigendecomposition of ``np.cov`` (compared up to sign: subspaces and
variances) and scikit-learn's ``PCA``, which uses the same sign convention.
Run: ``pytest weeks/week6/tests/test_pca_svd.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from sklearn.decomposition import PCA as SkPCA


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


@pytest.mark.parametrize(
    ("shape", "k", "problem"),
    [
        ((10, 3), 0, "n_components=0"),
        ((10, 3), 4, "n_components=4 > 3 features"),
        ((2, 5), 3, "n_components=3 > 2 samples"),
        ((1, 3), None, "one sample"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_settings_raise_value_error(
    impl: ModuleType, shape: tuple[int, int], k: int | None, problem: str
) -> None:
    X = np.random.default_rng(13).normal(size=shape)
    with pytest.raises(ValueError):
        impl.PCA(k).fit(X)
        pytest.fail(f"fit should raise ValueError for {problem}", pytrace=False)
