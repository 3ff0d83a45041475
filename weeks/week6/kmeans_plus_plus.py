"""Drill (medium, 30 minutes): k-means with k-means++ initialisation.

The prompt
----------
Implement k-means clustering in NumPy:

1. ``squared_distances(X, C)``: every squared Euclidean distance between the rows of ``X``
   ``(n, d)`` and of ``C`` ``(k, d)``, as an ``(n, k)`` array, [#sqdist] without Python
   loops, [#sqdist-vectorised] never negative (clip the rounding error of the
   ``|x|^2 - 2 x.c + |c|^2`` expansion at 0). [#sqdist-clip]
2. ``kmeans_plus_plus_init(X, k, rng)``: k-means++ seeding (Arthur and Vassilvitskii, 2007).
   The first centre is a row of ``X`` drawn uniformly; each next centre is a row drawn with
   probability proportional to ``D(x)^2``, the squared distance from ``x`` to the *nearest*
   centre chosen so far. [#d2-sampling] Use only the ``rng`` you are given (a
   ``numpy.random.Generator``, e.g. ``rng.integers(n)`` and ``rng.choice(n, p=probs)``): the
   grader draws thousands of seedings and compares the frequencies with the exact D^2
   probabilities (chi-square test). [#rng-only] If every ``D(x)^2`` is 0 (duplicate points),
   draw uniformly. [#all-duplicates] Returns a copy, shape ``(k, d)``. [#kpp-copy]
3. ``kmeans(X, k, n_iter=300, seed=None, init=None)``: Lloyd's algorithm.

   - Start from ``init`` (a ``(k, d)`` array) if given, else from
     ``kmeans_plus_plus_init(X, k, np.random.default_rng(seed))``. [#init] ``init`` itself is
     never modified. [#init-copy] Seed **once**: the iterations never re-draw centroids.
     [#seed-once]
   - Assign every point to its nearest centroid (ties: the lowest centroid index, which is what
     ``argmin`` gives). [#ties] Then repeat at most ``n_iter`` times: move each centroid to the
     mean of its points; re-assign; record the inertia; stop as soon as the assignment did not
     change. [#lloyd]
   - Empty cluster: if a centroid has no points, re-seed it at the point farthest from its own
     centroid (the new mean of the cluster it belongs to; ties: the lowest point index), empty
     clusters taken in increasing index. [#empty-cluster] Do not reuse that point for a second
     empty cluster in the same step. [#empty-distinct] A centroid must never become ``nan``.
     [#no-nan]
   - Inertia = the sum over points of the squared distance to their assigned centroid.
     [#inertia]

   Return a :class:`KMeansResult` (given): ``centroids`` ``(k, d)`` (the ones the final
   ``labels`` were assigned to), ``labels`` int64 ``(n,)``, ``inertia`` (float, of those
   centroids and labels), [#result] ``n_iter`` (number of centroid updates done) [#n-iter] and
   ``inertia_history`` (the inertia after each update + re-assignment; Lloyd's algorithm never
   lets it increase). [#history]

Complexity: O(n * k * d) per iteration, with O(n * k) memory for the distance matrix.
[#complexity]

Errors: ``ValueError`` when

- ``X`` is not 2-D; [#x-2d]
- ``k`` is not in ``[1, n]`` (``kmeans_plus_plus_init`` too); [#k-range]
- ``n_iter < 1``; [#n-iter-range]
- ``init`` does not have shape ``(k, d)``. [#init-shape]

Example::

    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> result = kmeans(X, 2, init=X[[0, 2]])
    >>> result.centroids, result.labels, result.inertia
    (array([[ 0. ,  0.5], [10. ,  0.5]]), array([0, 0, 1, 1]), 1.0)

The grader compares with ``sklearn.cluster.KMeans`` started from the same ``init``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["KMeansResult", "kmeans", "kmeans_plus_plus_init", "squared_distances"]


@dataclass(frozen=True)
class KMeansResult:
    """What :func:`kmeans` returns (given)."""

    centroids: NDArray[np.float64]
    labels: NDArray[np.int64]
    inertia: float
    n_iter: int
    inertia_history: tuple[float, ...]


def squared_distances(X: ArrayLike, C: ArrayLike) -> NDArray[np.float64]:
    """All squared Euclidean distances between the rows of ``X`` and of ``C``.

    Args:
        X: shape ``(n, d)``.
        C: shape ``(k, d)``.

    Returns:
        Shape ``(n, k)``, every entry ``>= 0``.
    """
    # TODO: one matrix product, then np.maximum(..., 0).
    raise NotImplementedError


def kmeans_plus_plus_init(X: ArrayLike, k: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """k-means++ seeding: ``k`` rows of ``X`` chosen by D^2 sampling with ``rng``.

    Args:
        X: shape ``(n, d)``.
        k: number of centres, ``1 <= k <= n``.
        rng: the only source of randomness to use.

    Returns:
        A new array of shape ``(k, d)`` (rows of ``X``, in the order chosen).

    Raises:
        ValueError: if ``k`` is not in ``[1, n]``.
    """
    # TODO: keep, for every point, its squared distance to the nearest chosen centre.
    raise NotImplementedError


def kmeans(
    X: ArrayLike,
    k: int,
    n_iter: int = 300,
    seed: int | None = None,
    init: ArrayLike | None = None,
) -> KMeansResult:
    """Lloyd's k-means from k-means++ seeds (or ``init``), until the labels stop changing.

    Args:
        X: shape ``(n, d)``.
        k: number of clusters, ``1 <= k <= n``.
        n_iter: maximum number of centroid updates.
        seed: seed of ``np.random.default_rng`` for the k-means++ seeding.
        init: optional initial centroids, shape ``(k, d)`` (then ``seed`` is unused).

    Returns:
        A :class:`KMeansResult`.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: assign, then loop: update (empty-cluster re-seed), re-assign, record, stop.
    raise NotImplementedError
