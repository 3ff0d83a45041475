"""Drill (medium, 30 minutes): precision, recall, F1 and ROC-AUC with ties.

The prompt
----------
Implement in NumPy (no scikit-learn):

``precision_recall_f1(y_true, y_pred, average="binary", pos_label=1, zero_division=0.0)``
    returns ``(precision, recall, f1)`` as Python floats. [#prf-tuple] For one class c, with
    TP/FP/FN counted for c: ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)``,
    ``f1 = 2 TP / (2 TP + FP + FN)``. [#prf] Any 0/0 gives ``zero_division`` (never ``nan``,
    never a warning). [#zero-division] The classes are the sorted union of the labels in
    ``y_true`` and ``y_pred``. [#classes]

    - ``"binary"``: the scores of class ``pos_label`` only (at most 2 labels allowed);
      [#binary]
    - ``"micro"``: pool TP, FP and FN over all classes, then divide once; [#micro]
    - ``"macro"``: the unweighted mean of the per-class scores (a rare class counts as much as
      a common one; macro F1 is the mean of per-class F1, not the F1 of macro P and macro R);
      [#macro]
    - ``"weighted"``: the per-class scores averaged with weights ``support / n`` (support = the
      number of true samples of the class). [#weighted]

``roc_curve(y_true, scores)``
    returns ``(fpr, tpr, thresholds)``. ``thresholds`` are ``inf`` followed by the **distinct**
    scores in decreasing order; [#thresholds] at threshold ``t`` a sample is predicted positive
    when ``score >= t``; ``fpr[i]`` and ``tpr[i]`` are the rates at ``thresholds[i]`` (so both
    start at 0 and end at 1). [#rates] Tied scores move the curve diagonally in one step.
    [#curve-ties] This is ``sklearn.metrics.roc_curve(..., drop_intermediate=False)``.

``roc_auc(y_true, scores)``
    the area under that curve: the probability that a random positive scores higher than a
    random negative, **ties counting one half**. [#auc] O(n log n): rank the scores (tied
    scores get their average rank), then ``AUC = (sum of the positives' ranks - P (P + 1) / 2)
    / (P N)``. [#auc-cost] Constant scores give exactly 0.5. [#auc-constant]

For the ROC functions ``y_true`` holds only 0 and 1 (1 = positive) and ``scores`` are floats,
higher meaning more positive.

Errors (``ValueError``):

- inputs that are not non-empty 1-D arrays of equal length (every function); [#shapes]
- an unknown ``average``; [#average]
- ``"binary"`` with more than two labels; [#binary-labels]
- for the ROC functions, labels other than 0/1 [#roc-labels] or a ``y_true`` with a single
  class (the ROC curve is undefined). [#single-class]

Examples::

    >>> precision_recall_f1([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])
    (0.6666666666666666, 0.6666666666666666, 0.6666666666666666)
    >>> precision_recall_f1([1, 0, 1], [0, 0, 0])              # nothing predicted positive
    (0.0, 0.0, 0.0)
    >>> roc_auc([0, 1, 0, 1], [0.2, 0.2, 0.1, 0.9])            # one tied pair counts 1/2
    0.875

The grader compares with ``sklearn.metrics`` on imbalanced multi-class data and on scores with
many ties.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["precision_recall_f1", "roc_auc", "roc_curve"]


def precision_recall_f1(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    average: str = "binary",
    pos_label: object = 1,
    zero_division: float = 0.0,
) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``y_pred`` against ``y_true``.

    Args:
        y_true: true labels, shape ``(n,)``.
        y_pred: predicted labels, shape ``(n,)``.
        average: ``"binary"``, ``"micro"``, ``"macro"`` or ``"weighted"``.
        pos_label: the positive class for ``"binary"``.
        zero_division: the value of any 0/0.

    Returns:
        ``(precision, recall, f1)`` as Python floats.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: per-class TP, FP, FN with np.bincount over label codes, then average.
    raise NotImplementedError


def roc_curve(
    y_true: ArrayLike, scores: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The ROC curve at every distinct score threshold.

    Args:
        y_true: 0/1 labels, shape ``(n,)``, both classes present.
        scores: shape ``(n,)``.

    Returns:
        ``(fpr, tpr, thresholds)``, each of length ``1 + number of distinct scores``.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: sort by decreasing score, cumulative TP/FP counts, keep the last index of each tie.
    raise NotImplementedError


def roc_auc(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve, ties counting one half.

    Args:
        y_true: 0/1 labels, shape ``(n,)``, both classes present.
        scores: shape ``(n,)``.

    Returns:
        The AUC in ``[0, 1]``, a Python float.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: average ranks for ties, then the Mann-Whitney formula.
    raise NotImplementedError
