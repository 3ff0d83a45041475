"""Bug: O(n^2): for every threshold the class counts of both sides are recounted from the labels.

The answers are right; only the work test can tell.
"""

from __future__ import annotations

import numpy as np

from solutions.week6.decision_stump import _CRITERIA, Split, __all__, entropy, gini  # noqa: F401

__all__ = list(__all__)


def best_split(X: np.ndarray, y: np.ndarray, criterion: str = "gini") -> Split | None:
    if criterion not in _CRITERIA:
        raise ValueError(f"unknown criterion {criterion!r}")
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(y) == 0:
        raise ValueError("bad shapes")
    impurity = _CRITERIA[criterion]
    _, y_index = np.unique(y, return_inverse=True)
    k, n = int(y_index.max()) + 1, len(y)
    parent = float(impurity(np.bincount(y_index, minlength=k), n))
    if parent == 0.0:
        return None
    best = None
    for feature in range(X.shape[1]):
        order = np.argsort(X[:, feature], kind="stable")
        xs, ys = X[order, feature], y_index[order]
        for i in range(1, n):
            if xs[i] == xs[i - 1]:
                continue
            left = np.bincount(ys[:i], minlength=k)
            right = np.bincount(ys[i:], minlength=k)
            gain = parent - (i * impurity(left, i) + (n - i) * impurity(right, n - i)) / n
            if best is None or gain > best.gain:
                best = Split(feature, float((xs[i - 1] + xs[i]) / 2.0), float(gain))
    return best
