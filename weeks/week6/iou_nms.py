"""Drill (medium, 30 minutes): IoU and non-maximum suppression.

The prompt
----------
Boxes are ``(x1, y1, x2, y2)`` float rows with ``x1 <= x2`` and ``y1 <= y2`` (pixel positions,
``>= 0``). Implement in NumPy (no torch, no torchvision):

``box_area(boxes)``
    ``(x2 - x1) * (y2 - y1)`` per box, shape ``(N,)``. [#area]
``box_iou(a, b)``
    intersection over union of every pair, shape ``(N, M)``, vectorised by broadcasting. [#iou]
    The intersection width is ``max(0, min(x2a, x2b) - max(x1a, x1b))`` (clamp at 0 *before*
    multiplying: two negative overlaps must not make a positive area), the same for the height.
    [#clamp] Degenerate boxes are allowed: a zero-area box has IoU 0 with everything, and when
    the union is 0 (two identical points) the IoU is 0, never ``nan``. [#degenerate]
``nms(boxes, scores, iou_threshold)``
    greedy non-maximum suppression: repeatedly keep the highest-scoring remaining box and drop
    every remaining box whose IoU with it is **strictly greater** than ``iou_threshold``.
    [#greedy] Returns the kept indices (int64) in decreasing score order; [#order] equal scores
    are taken in increasing index order (a stable sort). [#ties] O(N^2) in the worst case.
``batched_nms(boxes, scores, class_ids, iou_threshold)``
    NMS within each class: boxes of different classes never suppress each other. [#batched]
    Same output order as ``nms``. [#batched-order] One way: shift each class to its own region
    of the plane and run ``nms`` once.

Empty inputs (``N = 0``: boxes ``[]`` or of shape ``(0, 4)``) give empty int64 results. [#empty]

Errors (``ValueError``), from every function that takes the argument:

- boxes not of shape ``(N, 4)``; [#boxes-shape]
- a box with ``x2 < x1`` or ``y2 < y1``; [#inverted]
- ``scores`` or ``class_ids`` not of shape ``(N,)``. [#scores-shape]

Examples::

    >>> box_iou(np.array([[0.0, 0.0, 2.0, 2.0]]), np.array([[1.0, 1.0, 3.0, 3.0]]))
    array([[0.14285714]])                                    # 1 / (4 + 4 - 1)
    >>> boxes = np.array([[0.0, 0.0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
    >>> nms(boxes, np.array([0.8, 0.9, 0.7]), iou_threshold=0.5)
    array([1, 2])

The grader compares with torchvision's NMS kernel (what ``torchvision.ops.nms`` runs) and a loop.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["batched_nms", "box_area", "box_iou", "nms"]


def box_area(boxes: ArrayLike) -> NDArray[np.float64]:
    """Area of each box.

    Args:
        boxes: shape ``(N, 4)``.

    Returns:
        Shape ``(N,)``.

    Raises:
        ValueError: on a bad shape or an inverted box.
    """
    # TODO
    raise NotImplementedError


def box_iou(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """Pairwise intersection over union.

    Args:
        a: shape ``(N, 4)``.
        b: shape ``(M, 4)``.

    Returns:
        Shape ``(N, M)``, values in ``[0, 1]``, 0 where the union is empty.

    Raises:
        ValueError: on a bad shape or an inverted box.
    """
    # TODO: broadcast a[:, None, :] against b[None, :, :].
    raise NotImplementedError


def nms(boxes: ArrayLike, scores: ArrayLike, iou_threshold: float) -> NDArray[np.int64]:
    """Greedy non-maximum suppression.

    Args:
        boxes: shape ``(N, 4)``.
        scores: shape ``(N,)``.
        iou_threshold: drop boxes whose IoU with a kept box is strictly greater than this.

    Returns:
        Kept indices, int64, by decreasing score (ties: lower index first).

    Raises:
        ValueError: on bad shapes or an inverted box.
    """
    # TODO: stable sort by decreasing score, then keep/suppress in a loop.
    raise NotImplementedError


def batched_nms(
    boxes: ArrayLike, scores: ArrayLike, class_ids: ArrayLike, iou_threshold: float
) -> NDArray[np.int64]:
    """Class-aware non-maximum suppression.

    Args:
        boxes: shape ``(N, 4)``, coordinates ``>= 0``.
        scores: shape ``(N,)``.
        class_ids: non-negative integers, shape ``(N,)``.
        iou_threshold: as in :func:`nms`.

    Returns:
        Kept indices, int64, by decreasing score (ties: lower index first).

    Raises:
        ValueError: on bad shapes or an inverted box.
    """
    # TODO: offset each box by class_id * (max_coordinate + 1), then nms.
    raise NotImplementedError
