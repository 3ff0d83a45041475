"""Tests of week6.iou_nms: IoU (overlap clamping, degenerate boxes), NMS order and threshold,
class-aware NMS.

The oracle for NMS is torchvision's compiled kernel ``torch.ops.torchvision.nms`` (what
``torchvision.ops.nms`` calls; class-aware NMS is that kernel run class by class); IoU is checked
against a plain loop over pairs. Hand-made cases cover ties, degenerate boxes and the exact
threshold. Run: ``pytest weeks/week6/tests/test_iou_nms.py``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch


def _torchvision_nms_kernel():
    """``torch.ops.torchvision.nms``, loading torchvision's C++ library directly.

    ``import torchvision`` also imports its models, datasets and torch._dynamo (several seconds);
    the kernel alone is enough here. Falls back to the full import.
    """
    spec = importlib.util.find_spec("torchvision")
    for base in spec.submodule_search_locations if spec else []:
        for lib in sorted(Path(base).glob("_C*.*")):
            if lib.suffix in (".so", ".pyd", ".dylib"):
                try:
                    torch.ops.load_library(str(lib))
                    return torch.ops.torchvision.nms
                except (OSError, RuntimeError, AttributeError):
                    continue
    import torchvision  # noqa: F401 - registers the ops

    return torch.ops.torchvision.nms


TV_NMS = _torchvision_nms_kernel()


def _random_boxes(seed: int, n: int, size: float = 30.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    wh = rng.uniform(1, size, size=(n, 2))
    return np.concatenate([xy, xy + wh], axis=1)


def _t(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))


def _loop_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros((len(a), len(b)))
    for i, (ax1, ay1, ax2, ay2) in enumerate(a):
        for j, (bx1, by1, bx2, by2) in enumerate(b):
            w = max(0.0, min(ax2, bx2) - max(ax1, bx1))
            h = max(0.0, min(ay2, by2) - max(ay1, by1))
            union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - w * h
            out[i, j] = w * h / union if union > 0 else 0.0
    return out


def _tv_nms(boxes: np.ndarray, scores: np.ndarray, threshold: float) -> list[int]:
    return TV_NMS(_t(boxes), _t(scores), threshold).tolist()


def _tv_batched_nms(boxes, scores, classes, threshold: float) -> list[int]:
    keep = []
    for c in np.unique(classes):
        members = np.flatnonzero(classes == c)
        keep += members[_tv_nms(boxes[members], scores[members], threshold)].tolist()
    return sorted(keep, key=lambda i: -scores[i])


def _indices(got: object, what: str) -> list[int]:
    arr = np.asarray(got)
    assert arr.ndim == 1 and (arr.size == 0 or arr.dtype.kind in "iu"), (
        f"{what} must return a 1-D integer array of kept indices, got {arr.dtype} {arr.shape}"
    )
    return arr.tolist()


# -- IoU ---------------------------------------------------------------------------------------
def test_box_area(impl: ModuleType) -> None:
    boxes = np.array([[0.0, 0.0, 2.0, 3.0], [1.0, 1.0, 1.0, 5.0], [2.5, 1.0, 4.0, 2.0]])
    np.testing.assert_allclose(
        np.asarray(impl.box_area(boxes)), [6.0, 0.0, 1.5], err_msg="(x2 - x1) * (y2 - y1)"
    )


def test_box_iou_matches_a_loop(impl: ModuleType) -> None:
    a, b = _random_boxes(0, 20), _random_boxes(1, 15)
    got = np.asarray(impl.box_iou(a, b))
    want = _loop_iou(a, b)
    assert got.shape == (20, 15), f"box_iou of 20 and 15 boxes has shape (20, 15), got {got.shape}"
    np.testing.assert_allclose(
        got, want, rtol=1e-12, atol=1e-15, err_msg="box_iou vs a loop over pairs"
    )


@pytest.mark.parametrize(
    ("a", "b", "want", "case"),
    [
        ([0, 0, 2, 2], [1, 1, 3, 3], 1 / 7, "partial overlap"),
        (
            [0, 0, 1, 1],
            [2, 2, 3, 3],
            0.0,
            "disjoint in x AND y (negative overlaps must not multiply into a positive area)",
        ),
        ([0, 0, 1, 1], [1, 0, 2, 1], 0.0, "touching edges"),
        ([0, 0, 4, 4], [1, 1, 2, 2], 1 / 16, "nested box"),
        ([0, 0, 3, 2], [0, 0, 3, 2], 1.0, "identical boxes"),
        ([2, 2, 2, 2], [2, 2, 2, 2], 0.0, "identical zero-area boxes (union 0: IoU 0, not nan)"),
        ([0, 0, 0, 5], [0, 0, 5, 5], 0.0, "a zero-width box inside another"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_box_iou_hand_cases(impl: ModuleType, a: list, b: list, want: float, case: str) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        got = np.asarray(impl.box_iou(np.array([a], float), np.array([b], float)))
    assert got.shape == (1, 1), f"box_iou of one box and one box has shape (1, 1), got {got.shape}"
    assert not np.isnan(got[0, 0]), f"{case}: IoU of {a} and {b} is nan; guard the division"
    assert got[0, 0] == pytest.approx(want, abs=1e-12), (
        f"{case}: IoU of {a} and {b} should be {want:.6f}, got {got[0, 0]}"
    )


# -- NMS ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.7])
def test_nms_matches_torchvision(impl: ModuleType, threshold: float) -> None:
    for seed in range(3):
        boxes = _random_boxes(seed + 10, 60)
        scores = np.random.default_rng(seed).permutation(60) / 60.0  # distinct scores
        got = _indices(impl.nms(boxes, scores, threshold), "nms")
        want = _tv_nms(boxes, scores, threshold)
        assert got == want, (
            f"nms(threshold={threshold}) on 60 random boxes (seed {seed}) should keep {want} "
            f"(torchvision, by decreasing score), got {got}"
        )


def test_nms_processes_boxes_by_decreasing_score(impl: ModuleType) -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=float)
    got = _indices(impl.nms(boxes, np.array([0.6, 0.9, 0.8]), 0.5), "nms")
    assert got == [1, 2], (
        "box 1 (score 0.9) overlaps box 0 (score 0.6) with IoU 0.68: keep 1, drop 0, then keep "
        f"box 2 (0.8); the answer is [1, 2] in score order, got {got}. Sort by score first"
    )


def test_nms_keeps_boxes_exactly_at_the_threshold(impl: ModuleType) -> None:
    boxes = np.array([[0, 0, 2, 1], [0, 0, 1, 1]], dtype=float)  # IoU exactly 0.5
    got = _indices(impl.nms(boxes, np.array([0.9, 0.8]), 0.5), "nms")
    assert got == [0, 1], (
        f"IoU exactly 0.5 with iou_threshold=0.5 is not ABOVE the threshold: keep both, got {got}"
    )
    got = _indices(impl.nms(boxes, np.array([0.9, 0.8]), 0.49), "nms")
    assert got == [0], f"with iou_threshold=0.49 box 1 is suppressed, got {got}"


def test_nms_equal_scores_keep_the_lower_index(impl: ModuleType) -> None:
    boxes = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [0, 0, 10, 10], [30, 30, 40, 40]], float)
    scores = np.array([0.5, 0.9, 0.5, 0.5])
    got = _indices(impl.nms(boxes, scores, 0.5), "nms")
    assert got == [1, 0, 3], (
        "boxes 0 and 2 are identical with equal scores: a stable sort takes box 0 first and "
        f"box 2 is suppressed; expected [1, 0, 3], got {got}"
    )


def test_empty_inputs(impl: ModuleType) -> None:
    empty = np.zeros((0, 4))
    assert _indices(impl.nms(empty, np.zeros(0), 0.5), "nms") == []
    got = impl.batched_nms(empty, np.zeros(0), np.zeros(0, dtype=int), 0.5)
    assert _indices(got, "batched_nms") == []
    assert np.asarray(impl.box_iou(empty, _random_boxes(0, 3))).shape == (0, 3)


# -- class-aware NMS -----------------------------------------------------------------------------
def test_batched_nms_matches_torchvision(impl: ModuleType) -> None:
    for seed in range(3):
        boxes = _random_boxes(seed + 20, 80)
        rng = np.random.default_rng(seed)
        scores, classes = rng.permutation(80) / 80.0, rng.integers(0, 4, size=80)
        got = _indices(impl.batched_nms(boxes, scores, classes, 0.4), "batched_nms")
        want = _tv_batched_nms(boxes, scores, classes, 0.4)
        assert got == want, (
            f"batched_nms on 80 boxes of 4 classes (seed {seed}) should keep {want} "
            f"(torchvision, decreasing score over all classes), got {got}"
        )


def test_different_classes_never_suppress_each_other(impl: ModuleType) -> None:
    boxes = np.array([[0, 0, 10, 10]] * 3 + [[1, 1, 10, 10]], dtype=float)
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    got = _indices(impl.batched_nms(boxes, scores, np.array([0, 1, 2, 0]), 0.5), "batched_nms")
    assert got == [3, 1, 2], (
        "box 3 (class 0, best score) suppresses box 0 (class 0); the identical boxes 1 and 2 are "
        f"of classes 1 and 2 and must survive: expected [3, 1, 2], got {got}"
    )


@pytest.mark.parametrize(
    ("boxes", "problem"),
    [
        (np.zeros((2, 3)), "boxes of shape (2, 3)"),
        (np.array([[5.0, 0, 1, 1]]), "x2 < x1"),
        (np.array([[0.0, 5, 1, 1]]), "y2 < y1"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_boxes_raise_value_error(impl: ModuleType, boxes: np.ndarray, problem: str) -> None:
    with pytest.raises(ValueError):
        impl.box_iou(boxes, boxes)
        pytest.fail(f"box_iou should raise ValueError for {problem}", pytrace=False)
