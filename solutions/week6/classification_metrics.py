"""Reference solution: precision, recall, F1 (binary/macro/micro/weighted) and ROC with ties."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["precision_recall_f1", "roc_auc", "roc_curve"]

AVERAGES = ("binary", "macro", "micro", "weighted")


def _divide(num: NDArray, den: NDArray, zero_division: float) -> NDArray[np.float64]:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, float(zero_division))
    np.divide(num, den, out=out, where=den > 0)
    return out


def _prf(tp: NDArray, fp: NDArray, fn: NDArray, zero_division: float):
    precision = _divide(tp, tp + fp, zero_division)
    recall = _divide(tp, tp + fn, zero_division)
    f1 = _divide(2 * tp, 2 * tp + fp + fn, zero_division)
    return precision, recall, f1


def _pair(y_true: ArrayLike, y_other: ArrayLike) -> tuple[NDArray, NDArray]:
    a, b = np.asarray(y_true), np.asarray(y_other)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError(
            f"expected two non-empty 1-D arrays of equal length, got {a.shape}, {b.shape}"
        )
    return a, b


def precision_recall_f1(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    average: str = "binary",
    pos_label: object = 1,
    zero_division: float = 0.0,
) -> tuple[float, float, float]:
    """Precision, recall and F1 with the chosen averaging; 0/0 becomes ``zero_division``."""
    y_true, y_pred = _pair(y_true, y_pred)
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    labels, codes = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
    if average == "binary":
        if len(labels) > 2:
            raise ValueError(f"average='binary' needs at most 2 labels, got {labels.tolist()}")
        t, p = y_true == pos_label, y_pred == pos_label
        tp, fp, fn = np.sum(t & p), np.sum(~t & p), np.sum(t & ~p)
        return tuple(float(v) for v in _prf(tp, fp, fn, zero_division))  # type: ignore[return-value]
    n, c = len(y_true), len(labels)
    t_codes, p_codes = codes[:n], codes[n:]
    tp = np.bincount(t_codes[t_codes == p_codes], minlength=c)
    support = np.bincount(t_codes, minlength=c)
    predicted = np.bincount(p_codes, minlength=c)
    fp, fn = predicted - tp, support - tp
    if average == "micro":
        values = _prf(tp.sum(), fp.sum(), fn.sum(), zero_division)
        return tuple(float(v) for v in values)  # type: ignore[return-value]
    per_class = _prf(tp, fp, fn, zero_division)
    weights = support / support.sum() if average == "weighted" else np.full(c, 1.0 / c)
    return tuple(float(v @ weights) for v in per_class)  # type: ignore[return-value]


def _binary_scores(y_true: ArrayLike, scores: ArrayLike) -> tuple[NDArray, NDArray]:
    y, s = _pair(y_true, scores)
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y_true must hold only 0 and 1, got {np.unique(y)[:5].tolist()}")
    y = y.astype(bool)
    if y.all() or not y.any():
        raise ValueError("ROC needs both classes in y_true; it is undefined for a single class")
    return y, s.astype(np.float64)


def roc_curve(
    y_true: ArrayLike, scores: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """False- and true-positive rates at every distinct score threshold (plus ``inf`` first)."""
    y, s = _binary_scores(y_true, scores)
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last_of_group = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    tps = np.cumsum(y)[last_of_group]
    fps = (last_of_group + 1) - tps
    fpr = np.r_[0.0, fps / fps[-1]]
    tpr = np.r_[0.0, tps / tps[-1]]
    thresholds = np.r_[np.inf, s[last_of_group]]
    return fpr, tpr, thresholds


def _average_ranks(values: NDArray[np.float64]) -> NDArray[np.float64]:
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_values) != 0) + 1]
    ends = np.r_[starts[1:], len(values)]
    average = (starts + ends + 1) / 2.0  # mean of the 1-based ranks start+1 .. end
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(average, ends - starts)
    return ranks


def roc_auc(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve: P(score of a positive > score of a negative), ties count 1/2."""
    y, s = _binary_scores(y_true, scores)
    ranks = _average_ranks(s)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))
