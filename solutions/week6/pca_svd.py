"""Reference solution: PCA through the SVD of the centred data, with a deterministic sign."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["PCA"]


class PCA:
    """Principal component analysis; see the stub for the full specification."""

    def __init__(self, n_components: int | None = None) -> None:
        self.n_components = n_components

    def fit(self, X: ArrayLike) -> PCA:
        """Centre ``X``, take its thin SVD, keep the top ``n_components`` directions."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] < 2:
            raise ValueError(f"X must have shape (n_samples >= 2, n_features), got {X.shape}")
        n, d = X.shape
        k = min(n, d) if self.n_components is None else self.n_components
        if not 1 <= k <= min(n, d):
            raise ValueError(f"n_components must be in [1, {min(n, d)}], got {k}")
        self.mean_ = X.mean(axis=0)
        U, S, Vt = np.linalg.svd(X - self.mean_, full_matrices=False)
        # sign convention: the largest-magnitude entry of every component is positive
        biggest = np.abs(Vt).argmax(axis=1)
        signs = np.sign(Vt[np.arange(len(Vt)), biggest])
        signs[signs == 0] = 1.0
        Vt = Vt * signs[:, None]
        variance = S**2 / (n - 1)
        total = variance.sum()
        self.components_ = Vt[:k].copy()
        self.singular_values_ = S[:k].copy()
        self.explained_variance_ = variance[:k].copy()
        self.explained_variance_ratio_ = (
            variance[:k] / total if total > 0 else np.zeros(k, dtype=np.float64)
        )
        return self

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Coordinates of the rows of ``X`` along the components, shape (m, k)."""
        return (np.asarray(X, dtype=np.float64) - self.mean_) @ self.components_.T

    def inverse_transform(self, Z: ArrayLike) -> NDArray[np.float64]:
        """Map coordinates back to the original space, shape (m, d)."""
        return np.asarray(Z, dtype=np.float64) @ self.components_ + self.mean_

    def fit_transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)
