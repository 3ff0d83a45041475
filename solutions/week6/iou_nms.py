"""Reference solution: pairwise IoU, greedy non-maximum suppression and class-aware NMS."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["batched_nms", "box_area", "box_iou", "nms"]


def _boxes(boxes: ArrayLike, name: str = "boxes") -> NDArray[np.float64]:
    b = np.asarray(boxes, dtype=np.float64)
    if b.shape in ((0,), (0, 4)):  # no boxes ([] or an empty (0, 4) array)
        return b.reshape(0, 4)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4) as (x1, y1, x2, y2), got {b.shape}")
    if (b[:, 2] < b[:, 0]).any() or (b[:, 3] < b[:, 1]).any():
        raise ValueError(f"{name} must satisfy x1 <= x2 and y1 <= y2")
    return b


def box_area(boxes: ArrayLike) -> NDArray[np.float64]:
    """Area of each box, shape (N,)."""
    b = _boxes(boxes)
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def box_iou(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """Intersection over union of every pair, shape (N, M); 0 when the union is empty."""
    a, b = _boxes(a, "a"), _boxes(b, "b")
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(bottom_right - top_left, 0.0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def nms(boxes: ArrayLike, scores: ArrayLike, iou_threshold: float) -> NDArray[np.int64]:
    """Greedy NMS: indices of the kept boxes by decreasing score (ties: lower index first)."""
    boxes = _boxes(boxes)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (len(boxes),):
        raise ValueError(f"scores must have shape ({len(boxes)},), got {scores.shape}")
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(best)
        overlap = box_iou(boxes[best : best + 1], boxes[rest])[0]
        order = rest[overlap <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def batched_nms(
    boxes: ArrayLike, scores: ArrayLike, class_ids: ArrayLike, iou_threshold: float
) -> NDArray[np.int64]:
    """NMS within each class: boxes of different classes never suppress each other."""
    boxes = _boxes(boxes)
    class_ids = np.asarray(class_ids)
    if class_ids.shape != (len(boxes),):
        raise ValueError(f"class_ids must have shape ({len(boxes)},), got {class_ids.shape}")
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = class_ids.astype(np.float64) * (boxes.max() + 1.0)
    return nms(boxes + offsets[:, None], scores, iou_threshold)
