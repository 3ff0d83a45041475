"""Drill (easy, 15 minutes): confusion matrix with bincount and a per-class report.

The prompt
----------
Implement in NumPy, without a Python loop over the samples:

``confusion_matrix(y_true, y_pred, n_classes=None, normalize=None)``
    ``cm[i, j]`` = the number of samples whose true class is ``i`` and predicted class is ``j``
    (rows: truth, columns: prediction, as in scikit-learn), shape ``(n_classes, n_classes)``,
    [#counts] built by **one** ``np.bincount`` call: encode each pair as
    ``true * n_classes + pred``. [#one-bincount] Labels are integers in ``[0, n_classes)``
    (booleans count as 0 and 1); ``n_classes=None`` means ``max(y_true.max(), y_pred.max()) + 1``.
    [#n-classes-default] A class that never occurs still gets its row and column (of zeros).
    [#absent-classes]

    ``normalize``: ``None`` returns int64 counts; [#int-counts] ``"true"`` divides each row by
    its sum (each row then holds the recall view); ``"pred"`` divides each column by its sum (the
    precision view); ``"all"`` divides by the total (float64 rates). [#normalize] A zero
    row/column/total gives 0, never ``nan``. [#zero-division]
``per_class_report(y_true, y_pred, n_classes=None)``
    a dict with four arrays of length ``n_classes``: ``"precision"`` (diagonal / column sums),
    ``"recall"`` (diagonal / row sums), ``"f1"`` (``2 TP / (row sum + column sum)``), each 0
    where the denominator is 0, and ``"support"`` (row sums, int). [#report]

Errors (``ValueError``): arrays that are not 1-D of equal length; [#shapes] non-integer labels
(an empty array of any dtype is fine); [#integer-labels] a label outside ``[0, n_classes)``
(e.g. ``-1``, or ``5`` with ``n_classes=5``: an unchecked label would be silently counted in the
wrong cell); [#label-range] ``n_classes < 1``; [#n-classes-range] an unknown ``normalize``;
[#normalize-unknown] ``n_classes=None`` with empty inputs. [#empty-infer]

Complexity: O(n + n_classes^2). [#complexity]

Example::

    >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1])
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 1, 1]])
    >>> confusion_matrix([0, 0, 1], [0, 1, 1], n_classes=3, normalize="true")
    array([[0.5, 0.5, 0. ],
           [0. , 1. , 0. ],
           [0. , 0. , 0. ]])

The grader compares with a loop and with ``sklearn.metrics``.
"""

from __future__ import annotations

import numpy as np  # noqa: F401 - you will want it
from numpy.typing import ArrayLike, NDArray

__all__ = ["confusion_matrix", "per_class_report"]


def confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    n_classes: int | None = None,
    normalize: str | None = None,
) -> NDArray:
    """Counts (or rates) of every (true class, predicted class) pair.

    Args:
        y_true: integer labels, shape ``(n,)``.
        y_pred: integer labels, shape ``(n,)``.
        n_classes: number of classes (default: the largest label + 1).
        normalize: ``None``, ``"true"``, ``"pred"`` or ``"all"``.

    Returns:
        Shape ``(n_classes, n_classes)``: int64 counts, or float64 rates when normalised.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: validate, np.bincount(true * n + pred, minlength=n * n).reshape(n, n), normalise.
    raise NotImplementedError


def per_class_report(
    y_true: ArrayLike, y_pred: ArrayLike, n_classes: int | None = None
) -> dict[str, NDArray]:
    """Precision, recall, F1 and support of every class, from the confusion matrix.

    Args:
        y_true: integer labels, shape ``(n,)``.
        y_pred: integer labels, shape ``(n,)``.
        n_classes: number of classes (default: the largest label + 1).

    Returns:
        ``{"precision", "recall", "f1", "support"}``, each of shape ``(n_classes,)``.

    Raises:
        ValueError: as :func:`confusion_matrix`.
    """
    # TODO
    raise NotImplementedError
