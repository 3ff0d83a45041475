"""Reference solution: a confusion matrix in one ``np.bincount`` call and a per-class report."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["confusion_matrix", "per_class_report"]

NORMALIZE = (None, "true", "pred", "all")


def _labels(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int | None):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.ndim != 1 or t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must be 1-D of equal length, got {t.shape}, {p.shape}")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.size and a.dtype.kind not in "iub":
            raise ValueError(f"{name} must hold integer class ids, got dtype {a.dtype}")
    t, p = t.astype(np.int64), p.astype(np.int64)
    if n_classes is None:
        if t.size == 0:
            raise ValueError("cannot infer n_classes from empty inputs")
        n_classes = int(max(t.max(), p.max())) + 1
    if n_classes < 1:
        raise ValueError(f"n_classes must be positive, got {n_classes}")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.size and (a.min() < 0 or a.max() >= n_classes):
            raise ValueError(f"{name} has labels outside [0, {n_classes}): {a.min()}..{a.max()}")
    return t, p, n_classes


def _safe_divide(num: NDArray, den: NDArray) -> NDArray[np.float64]:
    num = np.asarray(num, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=np.asarray(den) > 0)


def confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    n_classes: int | None = None,
    normalize: str | None = None,
) -> NDArray:
    """``cm[i, j]`` = number of samples of true class i predicted as class j."""
    if normalize not in NORMALIZE:
        raise ValueError(f"normalize must be one of {NORMALIZE}, got {normalize!r}")
    t, p, n = _labels(y_true, y_pred, n_classes)
    cm = np.bincount(t * n + p, minlength=n * n).reshape(n, n)
    if normalize == "true":
        return _safe_divide(cm, cm.sum(axis=1, keepdims=True))
    if normalize == "pred":
        return _safe_divide(cm, cm.sum(axis=0, keepdims=True))
    if normalize == "all":
        return _safe_divide(cm, cm.sum())
    return cm


def per_class_report(
    y_true: ArrayLike, y_pred: ArrayLike, n_classes: int | None = None
) -> dict[str, NDArray]:
    """Precision, recall, F1 (0 where undefined) and support of every class."""
    cm = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    return {
        "precision": _safe_divide(tp, predicted),
        "recall": _safe_divide(tp, support),
        "f1": _safe_divide(2 * tp, support + predicted),
        "support": support,
    }
