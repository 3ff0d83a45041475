"""Tests of week6.iou_nms: IoU (overlap clamping, degenerate boxes), NMS order and threshold,
class-aware NMS.

The oracle for NMS is torchvision's compiled kernel ``torch.ops.torchvision.nms`` (what
``torchvision.ops.nms`` calls; class-aware NMS is that kernel run class by class); IoU is checked
against a plain loop over pairs. Hand-made cases cover ties, degenerate boxes and the exact
threshold. Run: ``pytest weeks/week6/tests/test_iou_nms.py``.
Differential tests judge the same calls against the reference solution (``reference``) on
Hypothesis-drawn integer boxes (exact IoU ties with the threshold, duplicates, zero-area boxes,
equal scores) and every threshold."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import differential as diff


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
@pytest.mark.clause("area")
def test_box_area(impl: ModuleType) -> None:
    boxes = np.array([[0.0, 0.0, 2.0, 3.0], [1.0, 1.0, 1.0, 5.0], [2.5, 1.0, 4.0, 2.0]])
    np.testing.assert_allclose(
        np.asarray(impl.box_area(boxes)), [6.0, 0.0, 1.5], err_msg="(x2 - x1) * (y2 - y1)"
    )


@pytest.mark.clause("iou")
def test_box_iou_matches_a_loop(impl: ModuleType) -> None:
    a, b = _random_boxes(0, 20), _random_boxes(1, 15)
    got = np.asarray(impl.box_iou(a, b))
    want = _loop_iou(a, b)
    assert got.shape == (20, 15), f"box_iou of 20 and 15 boxes has shape (20, 15), got {got.shape}"
    np.testing.assert_allclose(
        got, want, rtol=1e-12, atol=1e-15, err_msg="box_iou vs a loop over pairs"
    )


@pytest.mark.clause("iou", "clamp", "degenerate")
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
@pytest.mark.clause("greedy", "order")
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


@pytest.mark.clause("order")
def test_nms_processes_boxes_by_decreasing_score(impl: ModuleType) -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=float)
    got = _indices(impl.nms(boxes, np.array([0.6, 0.9, 0.8]), 0.5), "nms")
    assert got == [1, 2], (
        "box 1 (score 0.9) overlaps box 0 (score 0.6) with IoU 0.68: keep 1, drop 0, then keep "
        f"box 2 (0.8); the answer is [1, 2] in score order, got {got}. Sort by score first"
    )


@pytest.mark.clause("greedy")
def test_nms_keeps_boxes_exactly_at_the_threshold(impl: ModuleType) -> None:
    boxes = np.array([[0, 0, 2, 1], [0, 0, 1, 1]], dtype=float)  # IoU exactly 0.5
    got = _indices(impl.nms(boxes, np.array([0.9, 0.8]), 0.5), "nms")
    assert got == [0, 1], (
        f"IoU exactly 0.5 with iou_threshold=0.5 is not ABOVE the threshold: keep both, got {got}"
    )
    got = _indices(impl.nms(boxes, np.array([0.9, 0.8]), 0.49), "nms")
    assert got == [0], f"with iou_threshold=0.49 box 1 is suppressed, got {got}"


@pytest.mark.clause("ties")
def test_nms_equal_scores_keep_the_lower_index(impl: ModuleType) -> None:
    boxes = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [0, 0, 10, 10], [30, 30, 40, 40]], float)
    scores = np.array([0.5, 0.9, 0.5, 0.5])
    got = _indices(impl.nms(boxes, scores, 0.5), "nms")
    assert got == [1, 0, 3], (
        "boxes 0 and 2 are identical with equal scores: a stable sort takes box 0 first and "
        f"box 2 is suppressed; expected [1, 0, 3], got {got}"
    )


@pytest.mark.clause("empty")
def test_empty_inputs(impl: ModuleType) -> None:
    empty = np.zeros((0, 4))
    kept = _indices(impl.nms(empty, np.zeros(0), 0.5), "nms")
    assert kept == [], f"nms of no boxes should keep nothing, got {kept!r}"
    got = impl.batched_nms(empty, np.zeros(0), np.zeros(0, dtype=int), 0.5)
    kept = _indices(got, "batched_nms")
    assert kept == [], f"batched_nms of no boxes should keep nothing, got {kept!r}"
    shape = np.asarray(impl.box_iou(empty, _random_boxes(0, 3))).shape
    assert shape == (0, 3), f"box_iou of 0 boxes and 3 boxes should have shape (0, 3), got {shape}"


# -- class-aware NMS -----------------------------------------------------------------------------
@pytest.mark.clause("batched", "batched-order")
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


@pytest.mark.clause("batched")
def test_different_classes_never_suppress_each_other(impl: ModuleType) -> None:
    boxes = np.array([[0, 0, 10, 10]] * 3 + [[1, 1, 10, 10]], dtype=float)
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    got = _indices(impl.batched_nms(boxes, scores, np.array([0, 1, 2, 0]), 0.5), "batched_nms")
    assert got == [3, 1, 2], (
        "box 3 (class 0, best score) suppresses box 0 (class 0); the identical boxes 1 and 2 are "
        f"of classes 1 and 2 and must survive: expected [3, 1, 2], got {got}"
    )


def _bad(boxes: np.ndarray, problem: str, clause: str) -> Any:
    return pytest.param(boxes, problem, marks=pytest.mark.clause(clause), id=problem)


GOOD = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0]])


@pytest.mark.parametrize(
    ("boxes", "problem"),
    [
        _bad(np.zeros((2, 3)), "boxes of shape (2, 3)", "boxes-shape"),
        _bad(np.zeros((2, 5)), "boxes of shape (2, 5)", "boxes-shape"),
        _bad(np.zeros(4), "1-D boxes", "boxes-shape"),
        _bad(np.zeros((2, 4, 1)), "3-D boxes", "boxes-shape"),
        _bad(np.zeros((0, 5)), "empty boxes of shape (0, 5)", "boxes-shape"),
        _bad(np.zeros((3, 0)), "boxes of shape (3, 0)", "boxes-shape"),
        _bad(np.array([[5.0, 0, 1, 1], [0, 0, 1, 1]]), "x2 < x1", "inverted"),
        _bad(np.array([[0.0, 0, 1, 1], [0.0, 5, 1, 1]]), "y2 < y1", "inverted"),
    ],
)
@pytest.mark.parametrize("fn", ["box_area", "box_iou_a", "box_iou_b", "nms", "batched_nms"])
def test_bad_boxes_raise_value_error(
    impl: ModuleType, boxes: np.ndarray, problem: str, fn: str
) -> None:
    n = len(boxes)
    calls = {
        "box_area": lambda: impl.box_area(boxes),
        "box_iou_a": lambda: impl.box_iou(boxes, GOOD),
        "box_iou_b": lambda: impl.box_iou(GOOD, boxes),
        "nms": lambda: impl.nms(boxes, np.ones(n), 0.5),
        "batched_nms": lambda: impl.batched_nms(boxes, np.ones(n), np.zeros(n, dtype=int), 0.5),
    }
    with pytest.raises(ValueError):
        calls[fn]()
        pytest.fail(f"{fn} should raise ValueError for {problem}", pytrace=False)


@pytest.mark.clause("scores-shape")
@pytest.mark.parametrize(
    ("scores", "class_ids", "problem"),
    [
        (np.ones(3), np.zeros(2, dtype=int), "3 scores for 2 boxes"),
        (np.ones((2, 1)), np.zeros(2, dtype=int), "scores of shape (2, 1)"),
        (np.ones(2), np.zeros(3, dtype=int), "3 class ids for 2 boxes"),
        (np.ones(2), np.zeros((2, 1), dtype=int), "class ids of shape (2, 1)"),
    ],
    ids=["scores-3", "scores-2x1", "classes-3", "classes-2x1"],
)
def test_bad_scores_and_class_ids_raise(
    impl: ModuleType, scores: np.ndarray, class_ids: np.ndarray, problem: str
) -> None:
    if class_ids.shape == (2,):
        with pytest.raises(ValueError):
            impl.nms(GOOD, scores, 0.5)
            pytest.fail(f"nms should raise ValueError for {problem}", pytrace=False)
    with pytest.raises(ValueError):
        impl.batched_nms(GOOD, scores, class_ids, 0.5)
        pytest.fail(f"batched_nms should raise ValueError for {problem}", pytrace=False)


# -- differential ------------------------------------------------------------------------------
@st.composite
def _int_boxes(draw: st.DrawFn, max_n: int = 8, side: int = 6) -> np.ndarray:
    """Integer boxes: exact areas and IoUs (so any correct formula hits the same ties)."""
    n = draw(st.integers(0, max_n))
    corners = draw(hnp.arrays(np.int64, (n, 4), elements=st.integers(0, side)))
    x1, x2 = np.minimum(corners[:, 0], corners[:, 2]), np.maximum(corners[:, 0], corners[:, 2])
    y1, y2 = np.minimum(corners[:, 1], corners[:, 3]), np.maximum(corners[:, 1], corners[:, 3])
    boxes = np.stack([x1, y1, x2, y2], axis=1).astype(np.float64).reshape(n, 4)
    if n and draw(st.booleans()):
        boxes = np.concatenate([boxes, boxes[: draw(st.integers(1, n))]])  # duplicates
    return boxes


@pytest.mark.clause("area", "iou", "clamp", "degenerate", "empty")
@given(a=_int_boxes(), b=_int_boxes(), scale=st.sampled_from([1.0, 0.1, 1e3]))
def test_area_and_iou_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, a: np.ndarray, b: np.ndarray, scale: float
) -> None:
    a, b = a * scale, b * scale
    # IoU is a ratio of two sums of products: a few ulps whatever the formula
    diff.assert_same(impl.box_area, reference.box_area, a, rtol=1e-12, atol=1e-12 * scale**2)
    diff.assert_same(impl.box_iou, reference.box_iou, a, b, rtol=1e-12, atol=1e-15)


THRESHOLDS = st.sampled_from([0.0, 0.25, 1 / 3, 0.5, 0.7, 0.99, 1.0])


@st.composite
def _detections(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    boxes = draw(_int_boxes(max_n=10))
    n = len(boxes)
    scores = draw(hnp.arrays(np.float64, (n,), elements=st.sampled_from([0.1, 0.5, 0.5, 0.9])))
    classes = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 2)))
    return boxes, scores, classes


@pytest.mark.clause("greedy", "order", "ties", "batched", "batched-order", "empty")
@given(det=_detections(), threshold=THRESHOLDS)
@example(
    det=(np.array([[0.0, 0, 2, 1], [0, 0, 1, 1], [0, 0, 2, 1]]), np.array([0.9, 0.8, 0.9]),
         np.array([0, 0, 1])),
    threshold=0.5,
)  # fmt: skip
def test_nms_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    det: tuple[np.ndarray, np.ndarray, np.ndarray],
    threshold: float,
) -> None:
    boxes, scores, classes = det
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = diff.assert_same(impl.nms, reference.nms, boxes, scores, threshold)
        got = np.asarray(impl.nms(boxes, scores, threshold))
        assert got.dtype == np.int64, f"nms must return int64 indices, got {got.dtype}"
        diff.assert_same(impl.batched_nms, reference.batched_nms, boxes, scores, classes, threshold)
    assert kept is not None, "test setup: the reference nms returned None; please report this"


@pytest.mark.clause("iou")
def test_box_iou_is_vectorised(impl: ModuleType) -> None:
    small, big = _random_boxes(3, 3), _random_boxes(4, 60)
    impl.box_iou(small, small)
    few = diff.python_lines(lambda: impl.box_iou(small, small))
    many = diff.python_lines(lambda: impl.box_iou(big, big))
    assert many <= few + 20, (
        f"box_iou ran {few} Python lines for 3 x 3 boxes and {many} for 60 x 60: a Python loop "
        "over pairs. Broadcast a[:, None, :] against b[None, :, :]"
    )
