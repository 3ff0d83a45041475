"""Drill (easy, 20 minutes): vectorised pairwise distances and top-k retrieval.

The prompt
----------
This loop finds, for each pill-image embedding, the most similar images in a gallery::

    for i, q in enumerate(queries):
        for j, x in enumerate(index):
            sim[i, j] = q @ x / (np.linalg.norm(q) * np.linalg.norm(x))

Replace it, in NumPy, with:

``pairwise_sq_euclidean(A, B)``
    ``||a_i - b_j||^2`` for every row ``a_i`` of ``A`` ``(n, d)`` and ``b_j`` of ``B`` ``(m, d)``,
    shape ``(n, m)``, through ``||a||^2 + ||b||^2 - 2 a.b`` (one matrix product, no loop).
    [#sq-euclidean] Floating-point cancellation makes that expansion slightly **negative** for
    nearly identical rows far from the origin: clip at 0, so the result is never negative.
    [#non-negative]
``pairwise_euclidean(A, B)``
    the square root of the above: never ``nan``. [#euclidean]
``cosine_similarity(A, B)``
    ``a.b / (||a|| ||b||)``, shape ``(n, m)``; [#cosine] a zero-norm row has similarity 0 with
    everything (no ``nan``, no division warning). [#zero-norm]
``top_k_neighbours(queries, index, k, chunk=1024)``
    for each query, the ``k`` rows of ``index`` with the highest cosine similarity:
    ``(scores, indices)``, both of shape ``(m, k)``, [#top-k] each row sorted by decreasing
    similarity (equal similarities in any order). [#top-k-order] Process ``chunk`` queries at a
    time, so memory is O(chunk * n_index), [#chunk-memory] and select with ``np.argpartition``
    (O(n) per row) before sorting only the k winners: O(m * n * d) time overall.

All results are float64 (indices int64), integer inputs included. [#dtypes] Errors
(``ValueError``): inputs that are not 2-D with the same number of columns; [#shapes] ``k`` not
in ``[1, n_index]``; [#k-range] ``chunk < 1``. [#chunk-range]

Example::

    >>> pairwise_sq_euclidean(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0], [0.0, 1.0]]))
    array([[25.,  1.]])
    >>> cosine_similarity(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[2.0, 2.0]]))
    array([[0.70710678],
           [0.        ]])

The grader compares with the loop and with ``scipy.spatial.distance.cdist``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "cosine_similarity",
    "pairwise_euclidean",
    "pairwise_sq_euclidean",
    "top_k_neighbours",
]


def pairwise_sq_euclidean(A: ArrayLike, B: ArrayLike) -> NDArray[np.float64]:
    """Squared Euclidean distance between every row of ``A`` and every row of ``B``.

    Args:
        A: shape ``(n, d)``.
        B: shape ``(m, d)``.

    Returns:
        Shape ``(n, m)``, every entry ``>= 0``.

    Raises:
        ValueError: on bad shapes.
    """
    # TODO: norms, one matrix product, np.maximum(..., 0).
    raise NotImplementedError


def pairwise_euclidean(A: ArrayLike, B: ArrayLike) -> NDArray[np.float64]:
    """Euclidean distance between every row of ``A`` and every row of ``B``, shape ``(n, m)``."""
    # TODO
    raise NotImplementedError


def cosine_similarity(A: ArrayLike, B: ArrayLike) -> NDArray[np.float64]:
    """Cosine similarity between every row of ``A`` and every row of ``B``.

    Args:
        A: shape ``(n, d)``.
        B: shape ``(m, d)``.

    Returns:
        Shape ``(n, m)``, values in ``[-1, 1]``, 0 for zero-norm rows.

    Raises:
        ValueError: on bad shapes.
    """
    # TODO: normalise the rows (guarding zero norms), then one matrix product.
    raise NotImplementedError


def top_k_neighbours(
    queries: ArrayLike, index: ArrayLike, k: int, chunk: int = 1024
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The ``k`` most cosine-similar rows of ``index`` for each query, best first.

    Args:
        queries: shape ``(m, d)``.
        index: shape ``(n, d)``.
        k: neighbours per query, ``1 <= k <= n``.
        chunk: number of queries processed at once.

    Returns:
        ``(scores, indices)``, shapes ``(m, k)``, scores decreasing along each row.

    Raises:
        ValueError: on bad shapes, ``k`` or ``chunk``.
    """
    # TODO: per chunk: similarities, np.argpartition(-sim, k - 1, axis=1)[:, :k], sort those k.
    raise NotImplementedError
