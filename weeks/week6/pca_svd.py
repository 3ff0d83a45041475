"""Drill (medium, 25 minutes): PCA via the SVD.

The prompt
----------
Implement ``PCA(n_components)`` in NumPy (``__init__`` is given) with ``fit``, ``transform``,
``inverse_transform`` and ``fit_transform``, using the singular value decomposition of the
**centred** data (never the raw data: PCA of uncentred data finds the direction of the mean).
[#centred]

After ``fit(X)`` on ``X`` of shape ``(n, d)`` (with ``n >= 2``), with ``k = n_components``
(``None`` means ``min(n, d)``): [#k-default]

- ``mean_``: the column means, shape ``(d,)``; [#mean]
- ``components_``: shape ``(k, d)``, orthonormal rows, the principal directions by decreasing
  variance (the first ``k`` rows of ``Vt`` in ``U, S, Vt = np.linalg.svd(Xc,
  full_matrices=False)``); [#components] where several directions have the same variance (or
  none), any orthonormal basis of their subspace is right;
- ``explained_variance_``: shape ``(k,)``, the variance along each component, ``S**2 / (n - 1)``
  (the eigenvalues of ``np.cov(X, rowvar=False)``); [#variance]
- ``explained_variance_ratio_``: ``explained_variance_`` divided by the **total** variance of
  the data (all ``min(n, d)`` components, not only the k kept): it sums to 1 only when nothing is
  discarded [#ratio] (0 everywhere if the total variance is 0); [#ratio-zero]
- ``singular_values_``: the k largest singular values, shape ``(k,)``. [#singular-values]

Sign convention (an SVD is unique only up to the sign of each pair of singular vectors): flip
each component so that its entry of largest absolute value is **positive**. [#sign] Then
``fit(X)`` and ``fit(-X)`` give identical components, and so does scikit-learn.

``transform(X)`` returns ``(X - mean_) @ components_.T``, shape ``(m, k)``, for any ``X`` with
``d`` columns; [#transform] ``inverse_transform(Z)`` returns ``Z @ components_ + mean_``, shape
``(m, d)``. [#inverse] ``fit`` returns ``self``; [#fit-self] ``fit_transform(X)`` is
``fit(X).transform(X)``. [#fit-transform] Errors: ``ValueError`` if ``X`` is not 2-D with at
least 2 rows, [#x-shape] or if ``n_components`` is not in ``[1, min(n, d)]``. [#k-range]

Complexity: one thin SVD, O(n * d * min(n, d)). [#complexity]

Example::

    >>> X = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    >>> pca = PCA(1).fit(X)
    >>> pca.components_, pca.explained_variance_, pca.explained_variance_ratio_
    (array([[0.70710678, 0.70710678]]), array([2.]), array([1.]))

The grader compares with the eigendecomposition of the covariance matrix (subspaces and
variances, up to sign) and with scikit-learn's ``PCA`` (which uses the same sign convention).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["PCA"]


class PCA:
    """Principal component analysis.

    Attributes:
        n_components: number of components to keep (``None``: ``min(n, d)``).
        mean_, components_, explained_variance_, explained_variance_ratio_, singular_values_:
            set by :meth:`fit` (see the module docstring).
    """

    def __init__(self, n_components: int | None = None) -> None:
        self.n_components = n_components

    def fit(self, X: ArrayLike) -> PCA:
        """Learn the mean and the principal components of ``X``.

        Args:
            X: shape ``(n, d)`` with ``n >= 2``.

        Returns:
            ``self``.

        Raises:
            ValueError: on a bad ``X`` or ``n_components``.
        """
        # TODO: centre, np.linalg.svd(..., full_matrices=False), fix signs, keep k.
        raise NotImplementedError

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Project the rows of ``X`` (shape ``(m, d)``) on the components: shape ``(m, k)``."""
        # TODO
        raise NotImplementedError

    def inverse_transform(self, Z: ArrayLike) -> NDArray[np.float64]:
        """Map coordinates ``Z`` (shape ``(m, k)``) back to the data space: shape ``(m, d)``."""
        # TODO
        raise NotImplementedError

    def fit_transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """``fit(X)``, then ``transform(X)``."""
        # TODO
        raise NotImplementedError
