"""Reference solution: vectorised pairwise distances, cosine similarity and chunked top-k."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "cosine_similarity",
    "pairwise_euclidean",
    "pairwise_sq_euclidean",
    "top_k_neighbours",
]


def _pair(A: ArrayLike, B: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1]:
        raise ValueError(f"expected (n, d) and (m, d) arrays, got {A.shape} and {B.shape}")
    return A, B


def pairwise_sq_euclidean(A: ArrayLike, B: ArrayLike) -> NDArray[np.float64]:
    """``||a_i - b_j||^2`` for every pair, shape (n, m), never negative."""
    A, B = _pair(A, B)
    d2 = (A**2).sum(axis=1)[:, None] + (B**2).sum(axis=1)[None, :] - 2.0 * A @ B.T
    return np.maximum(d2, 0.0)


def pairwise_euclidean(A: ArrayLike, B: ArrayLike) -> NDArray[np.float64]:
    """``||a_i - b_j||`` for every pair, shape (n, m), never ``nan``."""
    return np.sqrt(pairwise_sq_euclidean(A, B))


def _unit_rows(X: NDArray[np.float64]) -> NDArray[np.float64]:
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def cosine_similarity(A: ArrayLike, B: ArrayLike) -> NDArray[np.float64]:
    """Cosine of the angle between every pair of rows, shape (n, m); 0 for zero rows."""
    A, B = _pair(A, B)
    return _unit_rows(A) @ _unit_rows(B).T


def top_k_neighbours(
    queries: ArrayLike, index: ArrayLike, k: int, chunk: int = 1024
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The ``k`` most cosine-similar index rows of each query, most similar first."""
    Q, X = _pair(queries, index)
    if not 1 <= k <= X.shape[0]:
        raise ValueError(f"k must be in [1, {X.shape[0]}], got {k}")
    if chunk < 1:
        raise ValueError(f"chunk must be positive, got {chunk}")
    unit_index = _unit_rows(X)
    scores = np.empty((Q.shape[0], k))
    indices = np.empty((Q.shape[0], k), dtype=np.int64)
    for start in range(0, Q.shape[0], chunk):
        sim = _unit_rows(Q[start : start + chunk]) @ unit_index.T
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        part_sim = np.take_along_axis(sim, part, axis=1)
        order = np.argsort(-part_sim, axis=1, kind="stable")
        indices[start : start + chunk] = np.take_along_axis(part, order, axis=1)
        scores[start : start + chunk] = np.take_along_axis(part_sim, order, axis=1)
    return scores, indices
