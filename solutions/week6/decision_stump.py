"""Reference solution of the decision-stump drill (see ``weeks/week6/decision_stump.py``)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Split", "best_split", "entropy", "gini"]


class Split(NamedTuple):
    """The best single split: ``X[:, feature] <= threshold`` goes left."""

    feature: int
    threshold: float
    gain: float


def _gini_counts(counts: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    """Gini of class-count rows ``counts`` (..., k) holding ``n`` (>= 1) samples each."""
    p = counts / np.asarray(n, dtype=np.float64)[..., None]
    return 1.0 - np.sum(p * p, axis=-1)


def _entropy_counts(counts: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    """Entropy in bits of class-count rows ``counts`` (..., k) holding ``n`` (>= 1) samples."""
    p = counts / np.asarray(n, dtype=np.float64)[..., None]
    logs = np.log2(np.where(p > 0, p, 1.0))  # 0 * log 0 counts as 0
    return -np.sum(p * logs, axis=-1)


_CRITERIA = {"gini": _gini_counts, "entropy": _entropy_counts}


def gini(labels: np.ndarray) -> float:
    """Gini impurity ``1 - sum_k p_k**2`` of a label array (0.0 when empty)."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(_gini_counts(counts, counts.sum())) if counts.size else 0.0


def entropy(labels: np.ndarray) -> float:
    """Shannon entropy in bits, ``-sum_k p_k log2 p_k`` (0.0 when empty)."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(_entropy_counts(counts, counts.sum())) if counts.size else 0.0


def best_split(X: np.ndarray, y: np.ndarray, criterion: str = "gini") -> Split | None:
    """The (feature, threshold) maximising the impurity decrease; ``None`` if nothing splits."""
    if criterion not in _CRITERIA:
        raise ValueError(f"criterion must be 'gini' or 'entropy', got {criterion!r}")
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(y) == 0:
        raise ValueError(
            f"need X of shape (n, d) and y of shape (n,), n > 0; got {X.shape}, {y.shape}"
        )
    impurity = _CRITERIA[criterion]
    _, y_index = np.unique(y, return_inverse=True)
    n = len(y)
    onehot = np.eye(int(y_index.max()) + 1)[y_index]  # (n, k)
    total = onehot.sum(axis=0)
    parent = float(impurity(total, n))
    if parent == 0.0:
        return None
    n_left = np.arange(1, n)
    n_right = n - n_left
    best: Split | None = None
    for feature in range(X.shape[1]):
        order = np.argsort(X[:, feature], kind="stable")  # one sort per feature
        xs = X[order, feature]
        left = np.cumsum(onehot[order], axis=0)[:-1]  # counts left of each cut, in one sweep
        weighted = (n_left * impurity(left, n_left) + n_right * impurity(total - left, n_right)) / n
        gain = np.where(xs[1:] > xs[:-1], parent - weighted, -np.inf)  # cut only between values
        i = int(np.argmax(gain))  # first maximum: the smallest threshold
        if np.isfinite(gain[i]) and (best is None or gain[i] > best.gain):
            best = Split(feature, float((xs[i] + xs[i + 1]) / 2.0), float(gain[i]))
    return best
