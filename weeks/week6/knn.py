"""Drill (easy, 20 minutes): a k-nearest-neighbours classifier.

The prompt
----------
Implement ``KNNClassifier(k, metric, weights, chunk_size)`` in NumPy with ``fit``,
``kneighbors`` and ``predict`` (``__init__`` is given):

- ``metric="euclidean"``: ``d(a, b) = ||a - b||`` (the true distance, *not* its square).
  [#euclidean] ``metric="cosine"``: ``d(a, b) = 1 - cos(a, b)``; [#cosine] a zero vector has
  cosine similarity 0 with everything (distance 1), never ``nan``. [#cosine-zero]
- ``weights="uniform"``: each of the k neighbours has one vote. [#uniform]
  ``weights="distance"``: a neighbour at distance ``d`` has weight ``1 / d`` (the same ``d`` as
  ``kneighbors`` returns). [#distance-weights] If some neighbours are at distance exactly 0, only
  those vote (weight 1 each): an exact match wins outright, with no division by zero.
  [#exact-match]
- Vote ties (equal totals): predict the **smallest** label. [#ties] Labels can be any sortable
  values (ints, strings); ``np.unique(y, return_inverse=True)`` gives them in sorted order.
  [#labels]
- Queries are processed ``chunk_size`` rows at a time, so memory is O(chunk_size * n_train),
  not O(n_queries * n_train). [#chunks] The results must not depend on ``chunk_size``.
  [#chunk-invariant]

``fit(X, y)`` validates and stores the training set and returns ``self``; [#fit-self] it raises
``ValueError`` if

- ``X`` is not 2-D; [#x-2d]
- ``y`` is not of shape ``(n,)``; [#y-shape]
- ``k`` is not in ``[1, n]``; [#k-range]
- ``metric`` / ``weights`` is not one of the values above; [#options]
- ``chunk_size < 1``. [#chunk-size]

``kneighbors(X)`` returns ``(distances, indices)``, both of shape ``(m, k)``: for each query row,
the distances to its k nearest training points (ascending) and their row indices in the training
set (int64). [#kneighbors] Which of several training points at the same distance is taken is
up to you. ``predict(X)`` returns the ``m`` predicted labels (same dtype as the training ``y``).
[#predict] Both raise ``ValueError`` when the queries are not of shape ``(m, d)``;
[#query-shape] ``m = 0`` queries give empty results. [#no-queries]

Complexity: O(m * n * d) time for m queries against n training points; use
``np.argpartition`` (O(n) per row) or a sort to select the k nearest.

Example::

    >>> X = np.array([[0.0], [1.0], [5.0], [6.0]]); y = np.array([0, 0, 1, 1])
    >>> KNNClassifier(k=3).fit(X, y).predict(np.array([[0.5], [5.4]]))
    array([0, 1])
    >>> KNNClassifier(k=2).fit(np.array([[-1.0], [0.9]]), np.array([0, 1])).predict([[0.0]])
    array([0])                  # a 1-1 tie goes to the smallest label, not to the nearest point

The grader compares with ``sklearn.neighbors.KNeighborsClassifier(algorithm="brute")``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["KNNClassifier"]


class KNNClassifier:
    """Brute-force k-nearest-neighbours classification.

    Attributes:
        k: number of neighbours.
        metric: ``"euclidean"`` or ``"cosine"``.
        weights: ``"uniform"`` or ``"distance"``.
        chunk_size: number of query rows whose distances are computed at once.
    """

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
        """Validate and store the training set.

        Args:
            X: shape ``(n, d)``.
            y: shape ``(n,)``, any sortable labels.

        Returns:
            ``self``.

        Raises:
            ValueError: see the module docstring.
        """
        # TODO
        raise NotImplementedError

    def kneighbors(self, X: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """The k nearest training points of each query row.

        Args:
            X: queries, shape ``(m, d)``.

        Returns:
            ``(distances, indices)``, each of shape ``(m, k)``, nearest first.
        """
        # TODO: distance matrix per chunk, then select and sort the k smallest per row.
        raise NotImplementedError

    def predict(self, X: ArrayLike) -> NDArray:
        """Predicted label of each query row.

        Args:
            X: queries, shape ``(m, d)``.

        Returns:
            Shape ``(m,)``.
        """
        # TODO: weighted vote per row (np.bincount or np.add.at), argmax = smallest label on ties.
        raise NotImplementedError
