"""Reference solution: a k-nearest-neighbours classifier with chunked, vectorised queries."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["KNNClassifier"]

METRICS = ("euclidean", "cosine")
WEIGHTS = ("uniform", "distance")


class KNNClassifier:
    """Brute-force kNN: Euclidean or cosine distance, uniform or 1/d votes, ties to the smallest
    label."""

    def __init__(
        self,
        k: int = 5,
        metric: str = "euclidean",
        weights: str = "uniform",
        chunk_size: int = 1024,
    ) -> None:
        self.k = k
        self.metric = metric
        self.weights = weights
        self.chunk_size = chunk_size

    def fit(self, X: ArrayLike, y: ArrayLike) -> KNNClassifier:
        """Store the training set (validated)."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        if X.ndim != 2:
            raise ValueError(f"X must have shape (n_samples, n_features), got {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {self.metric!r}")
        if self.weights not in WEIGHTS:
            raise ValueError(f"weights must be one of {WEIGHTS}, got {self.weights!r}")
        if not 1 <= self.k <= X.shape[0]:
            raise ValueError(f"k must be in [1, n_samples={X.shape[0]}], got {self.k}")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size must be positive, got {self.chunk_size}")
        self.X_ = X
        self.classes_, self.y_ = np.unique(y, return_inverse=True)
        return self

    def _distances(self, Q: NDArray[np.float64]) -> NDArray[np.float64]:
        X = self.X_
        if self.metric == "euclidean":
            d2 = (Q**2).sum(1)[:, None] - 2.0 * Q @ X.T + (X**2).sum(1)[None, :]
            return np.sqrt(np.maximum(d2, 0.0))
        qn = np.linalg.norm(Q, axis=1, keepdims=True)
        xn = np.linalg.norm(X, axis=1, keepdims=True)
        qu = np.divide(Q, qn, out=np.zeros_like(Q), where=qn > 0)
        xu = np.divide(X, xn, out=np.zeros_like(X), where=xn > 0)
        return np.clip(1.0 - qu @ xu.T, 0.0, 2.0)

    def _chunks(self, X: ArrayLike):
        Q = np.asarray(X, dtype=np.float64)
        if Q.ndim != 2 or Q.shape[1] != self.X_.shape[1]:
            raise ValueError(f"X must have shape (m, {self.X_.shape[1]}), got {Q.shape}")
        for start in range(0, Q.shape[0], self.chunk_size):
            d = self._distances(Q[start : start + self.chunk_size])
            # a copy, so the chunk's full argsort is freed: memory stays O(chunk_size * n)
            idx = np.argsort(d, axis=1, kind="stable")[:, : self.k].copy()
            yield np.take_along_axis(d, idx, axis=1), idx

    def kneighbors(self, X: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Distances and training indices of the k nearest neighbours, nearest first."""
        parts = list(self._chunks(X))
        if not parts:
            return np.zeros((0, self.k)), np.zeros((0, self.k), dtype=np.int64)
        dist = np.concatenate([d for d, _ in parts])
        idx = np.concatenate([i for _, i in parts]).astype(np.int64)
        return dist, idx

    def predict(self, X: ArrayLike) -> NDArray:
        """The majority (or 1/d-weighted) label of the k nearest neighbours of each row."""
        n_classes = len(self.classes_)
        out = []
        for dist, idx in self._chunks(X):
            if self.weights == "uniform":
                w = np.ones_like(dist)
            else:
                exact = dist == 0
                with np.errstate(divide="ignore"):
                    w = np.where(exact.any(axis=1, keepdims=True), exact * 1.0, 1.0 / dist)
            votes = np.zeros((dist.shape[0], n_classes))
            rows = np.repeat(np.arange(dist.shape[0]), self.k)
            np.add.at(votes, (rows, self.y_[idx].ravel()), w.ravel())
            out.append(votes.argmax(axis=1))  # first maximum = smallest label
        winners = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
        return self.classes_[winners]
