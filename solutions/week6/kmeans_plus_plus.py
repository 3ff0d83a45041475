"""Reference solution: k-means (Lloyd) with k-means++ seeding and empty-cluster handling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["KMeansResult", "kmeans", "kmeans_plus_plus_init", "squared_distances"]


@dataclass(frozen=True)
class KMeansResult:
    """What :func:`kmeans` returns."""

    centroids: NDArray[np.float64]
    labels: NDArray[np.int64]
    inertia: float
    n_iter: int
    inertia_history: tuple[float, ...]


def squared_distances(X: ArrayLike, C: ArrayLike) -> NDArray[np.float64]:
    """All squared Euclidean distances between rows of ``X`` (n, d) and ``C`` (k, d), (n, k)."""
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    d2 = (X**2).sum(1)[:, None] - 2.0 * X @ C.T + (C**2).sum(1)[None, :]
    return np.maximum(d2, 0.0)


def kmeans_plus_plus_init(X: ArrayLike, k: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Pick ``k`` rows of ``X`` as initial centroids by D^2 sampling."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"k must be in [1, n_samples={n}], got {k}")
    chosen = [int(rng.integers(n))]
    closest = squared_distances(X, X[chosen[0]][None, :])[:, 0]
    for _ in range(1, k):
        total = closest.sum()
        # all D^2 zero (every point coincides with a chosen centre): draw uniformly
        nxt = int(rng.choice(n, p=closest / total)) if total > 0 else int(rng.integers(n))
        chosen.append(nxt)
        closest = np.minimum(closest, squared_distances(X, X[nxt][None, :])[:, 0])
    return X[chosen].copy()


def _assign(X: NDArray[np.float64], C: NDArray[np.float64]) -> tuple[NDArray[np.int64], float]:
    d2 = squared_distances(X, C)
    labels = d2.argmin(axis=1)
    return labels, float(d2[np.arange(len(X)), labels].sum())


def _update(
    X: NDArray[np.float64], labels: NDArray[np.int64], C: NDArray[np.float64]
) -> NDArray[np.float64]:
    k = C.shape[0]
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros_like(C)
    np.add.at(sums, labels, X)
    new = C.copy()
    filled = counts > 0
    new[filled] = sums[filled] / counts[filled, None]
    empty = np.flatnonzero(~filled)
    if empty.size:
        # re-seed each empty cluster at the point farthest from its own centroid
        far = ((X - new[labels]) ** 2).sum(axis=1)
        for j in empty:
            i = int(far.argmax())
            new[j] = X[i]
            far[i] = -1.0  # never pick the same point twice
    return new


def kmeans(
    X: ArrayLike,
    k: int,
    n_iter: int = 300,
    seed: int | None = None,
    init: ArrayLike | None = None,
) -> KMeansResult:
    """Lloyd's algorithm from k-means++ seeds (or ``init``) until labels stop changing."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_features), got {X.shape}")
    if not 1 <= k <= X.shape[0]:
        raise ValueError(f"k must be in [1, n_samples={X.shape[0]}], got {k}")
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}")
    if init is None:
        C = kmeans_plus_plus_init(X, k, np.random.default_rng(seed))
    else:
        C = np.array(init, dtype=np.float64)
        if C.shape != (k, X.shape[1]):
            raise ValueError(f"init must have shape ({k}, {X.shape[1]}), got {C.shape}")
    labels, inertia = _assign(X, C)
    history: list[float] = []
    done = 0
    for done in range(1, n_iter + 1):  # noqa: B007 - `done` is reported
        C = _update(X, labels, C)
        new_labels, inertia = _assign(X, C)
        history.append(inertia)
        converged = np.array_equal(new_labels, labels)
        labels = new_labels
        if converged:
            break
    return KMeansResult(C, labels.astype(np.int64), inertia, done, tuple(history))
