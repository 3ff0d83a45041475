"""Tests of week6.classification_metrics: P/R/F1 averaging, zero division, ROC and AUC with ties.

``sklearn.metrics`` is the oracle (``precision_recall_fscore_support``, ``roc_auc_score``,
``roc_curve(drop_intermediate=False)``); scores are integers in a small range so that most of
them are tied. Differential tests judge the same calls against the reference solution
(``reference``) on Hypothesis-drawn labels (ints and strings, absent classes, every ``average``,
``pos_label`` and ``zero_division``) and scores (ties, ``-0.0`` vs ``0.0``, extremes).
Run: ``pytest weeks/week6/tests/test_classification_metrics.py``.
"""

from __future__ import annotations

import functools
import math
import tracemalloc
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sklearn import metrics

from grader import differential as diff

DRILL = settings(
    derandomize=True,
    deadline=None,
    max_examples=50,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # no shrinking: fast, still reproducible
)


def _no_warnings(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with every warning (and NumPy floating-point error) raised as an error."""

    @functools.wraps(fn)
    def strict(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(), np.errstate(all="raise"):
            warnings.simplefilter("error")
            return fn(*args, **kwargs)

    return strict


def _imbalanced(seed: int, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.choice(4, size=n, p=[0.6, 0.25, 0.1, 0.05])
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.choice(4, size=n, p=[0.5, 0.3, 0.2, 0.0]))
    return y_true, y_pred


def _tied_scores(seed: int, n: int = 80) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    scores = np.clip(y + rng.integers(-2, 2, size=n), 0, 3).astype(np.float64)  # 4 values
    return y, scores


def _sk_prf(y_true, y_pred, average: str, zero_division: float) -> tuple[float, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, _ = metrics.precision_recall_fscore_support(
            y_true, y_pred, average=average, zero_division=zero_division
        )
    return float(p), float(r), float(f)


def _check_prf(got: tuple, want: tuple, what: str) -> None:
    assert len(got) == 3, f"{what}: return (precision, recall, f1), got {got!r}"
    for name, g, w in zip(("precision", "recall", "f1"), got, want, strict=True):
        assert not math.isnan(g), f"{what}: {name} is nan; a 0/0 must give zero_division"
        assert g == pytest.approx(w, abs=1e-12), f"{what}: {name} should be {w:.6f}, got {g}"


# -- precision, recall, F1 ---------------------------------------------------------------------
@pytest.mark.clause("binary", "prf", "prf-tuple")
def test_binary_hand_computed(impl: ModuleType) -> None:
    got = impl.precision_recall_f1([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])
    _check_prf(
        got, (2 / 3, 2 / 3, 2 / 3), "y_true=[1,1,0,0,1], y_pred=[1,0,1,0,1] (TP=2 FP=1 FN=1)"
    )
    got = impl.precision_recall_f1(["b", "a", "b"], ["b", "b", "b"], pos_label="b")
    _check_prf(got, (2 / 3, 1.0, 0.8), "string labels with pos_label='b'")


@pytest.mark.clause("macro", "micro", "weighted", "zero-division", "classes")
@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
@pytest.mark.parametrize("zero_division", [0.0, 1.0])
def test_averages_match_sklearn(impl: ModuleType, average: str, zero_division: float) -> None:
    for seed in range(4):
        y_true, y_pred = _imbalanced(seed)
        got = impl.precision_recall_f1(y_true, y_pred, average=average, zero_division=zero_division)
        want = _sk_prf(y_true, y_pred, average, zero_division)
        _check_prf(got, want, f"average={average!r}, zero_division={zero_division}, seed {seed}")


@pytest.mark.clause("macro", "micro")
def test_macro_and_micro_differ_on_imbalanced_data(impl: ModuleType) -> None:
    y_true = [0] * 8 + [1, 1]
    y_pred = [0] * 8 + [0, 1]
    macro = impl.precision_recall_f1(y_true, y_pred, average="macro")
    micro = impl.precision_recall_f1(y_true, y_pred, average="micro")
    # class 0: P = 8/9, R = 1, F1 = 16/17; class 1: P = 1, R = 1/2, F1 = 2/3
    _check_prf(macro, ((8 / 9 + 1) / 2, 0.75, (16 / 17 + 2 / 3) / 2), "macro (mean of classes)")
    _check_prf(micro, (0.9, 0.9, 0.9), "micro (pooled counts = accuracy here)")


@pytest.mark.clause("zero-division")
def test_zero_division_never_gives_nan(impl: ModuleType) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        got = impl.precision_recall_f1([1, 0, 1], [0, 0, 0])
        _check_prf(got, (0.0, 0.0, 0.0), "no positive predictions (TP + FP = 0)")
        got = impl.precision_recall_f1([1, 0, 1], [0, 0, 0], zero_division=1.0)
        _check_prf(got, (1.0, 0.0, 0.0), "no positive predictions with zero_division=1.0")
        got = impl.precision_recall_f1([0, 0], [0, 0], zero_division=1.0)
        _check_prf(got, (1.0, 1.0, 1.0), "no positive samples at all, zero_division=1.0")


def _bad(args: tuple, kwargs: dict, problem: str, clause: str) -> Any:
    return pytest.param(args, kwargs, problem, marks=pytest.mark.clause(clause), id=problem)


@pytest.mark.parametrize(
    ("args", "kwargs", "problem"),
    [
        _bad(([0, 1, 2], [0, 1, 1]), {}, "average='binary' with 3 labels", "binary-labels"),
        _bad(([0, 1, 1], [0, 1, 2]), {}, "a third label only in y_pred", "binary-labels"),
        _bad(([0, 1], [0, 1]), {"average": "samples"}, "an unknown average", "average"),
        _bad(([0, 1], [0, 1]), {"average": None}, "average=None", "average"),
        _bad(([0, 1, 1], [0, 1]), {}, "arrays of different lengths", "shapes"),
        _bad(([], []), {"average": "macro"}, "empty arrays", "shapes"),
        _bad(([[0, 1]], [[0, 1]]), {"average": "macro"}, "2-D arrays", "shapes"),
    ],
)
def test_bad_inputs_raise_value_error(
    impl: ModuleType, args: tuple, kwargs: dict, problem: str
) -> None:
    with pytest.raises(ValueError):
        impl.precision_recall_f1(*args, **kwargs)
        pytest.fail(f"precision_recall_f1 should raise ValueError for {problem}", pytrace=False)


# -- ROC ---------------------------------------------------------------------------------------
@pytest.mark.clause("auc")
@pytest.mark.parametrize("seed", range(5))
def test_roc_auc_matches_sklearn_on_tied_scores(impl: ModuleType, seed: int) -> None:
    y, scores = _tied_scores(seed)
    got = impl.roc_auc(y, scores)
    want = metrics.roc_auc_score(y, scores)
    assert got == pytest.approx(want, abs=1e-12), (
        f"roc_auc with only {len(np.unique(scores))} distinct scores should be {want:.6f} "
        f"(sklearn), got {got:.6f}. A tied (positive, negative) pair counts 1/2: use average "
        "ranks, not argsort positions"
    )


@pytest.mark.clause("auc", "auc-constant")
def test_roc_auc_extremes(impl: ModuleType) -> None:
    y = np.array([0, 1, 1, 0, 1])
    checks = [
        (np.full(5, 0.7), 0.5, "constant scores"),
        (y * 2.0, 1.0, "perfect scores"),
        (-y * 2.0, 0.0, "reversed scores"),
    ]
    for scores, want, what in checks:
        got = impl.roc_auc(y, scores)
        assert got == pytest.approx(want), f"roc_auc with {what} should be {want}, got {got}"


@pytest.mark.clause("auc")
@DRILL
@given(
    pairs=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 4)), min_size=2, max_size=25).filter(
        lambda p: len({label for label, _ in p}) == 2
    )
)
def test_roc_auc_is_the_pairwise_probability(impl: ModuleType, pairs: list) -> None:
    y = np.array([label for label, _ in pairs])
    s = np.array([score for _, score in pairs], dtype=np.float64)
    pos, neg = s[y == 1], s[y == 0]
    want = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (
        len(pos) * len(neg)
    )
    got = impl.roc_auc(y, s)
    assert got == pytest.approx(want, abs=1e-12), (
        f"y={y.tolist()}, scores={s.tolist()}: AUC = P(positive > negative) + 1/2 P(tie) = "
        f"{want:.6f}, got {got}"
    )


@pytest.mark.clause("thresholds", "rates", "curve-ties")
@pytest.mark.parametrize("seed", range(3))
def test_roc_curve_matches_sklearn(impl: ModuleType, seed: int) -> None:
    y, scores = _tied_scores(seed + 10)
    fpr, tpr, thresholds = (np.asarray(a, dtype=np.float64) for a in impl.roc_curve(y, scores))
    want = metrics.roc_curve(y, scores, drop_intermediate=False)
    assert len(thresholds) == len(want[2]), (
        f"{len(np.unique(scores))} distinct scores give {len(want[2])} thresholds (inf first, "
        f"then each distinct score once), got {len(thresholds)}: {thresholds.tolist()}"
    )
    np.testing.assert_array_equal(thresholds, want[2], err_msg="thresholds (inf, then decreasing)")
    np.testing.assert_allclose(fpr, want[0], err_msg="fpr at each threshold")
    np.testing.assert_allclose(tpr, want[1], err_msg="tpr at each threshold")
    area = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    assert impl.roc_auc(y, scores) == pytest.approx(area), "roc_auc must equal the curve's area"


@pytest.mark.clause("single-class", "roc-labels")
def test_roc_rejects_single_class_and_bad_labels(impl: ModuleType) -> None:
    for fn in (impl.roc_auc, impl.roc_curve):
        for y, problem in (
            ([1, 1, 1], "only positives"),
            ([0, 0, 0], "only negatives"),
            ([0, 2, 1], "label 2"),
        ):
            with pytest.raises(ValueError):
                fn(y, [0.1, 0.5, 0.9])
                pytest.fail(f"{fn.__name__} should raise ValueError for {problem}", pytrace=False)


@pytest.mark.clause("shapes")
@pytest.mark.parametrize(
    ("y", "scores", "problem"),
    [
        ([0, 1, 1], [0.1, 0.2], "arrays of different lengths"),
        ([], [], "empty arrays"),
        ([[0, 1]], [[0.1, 0.2]], "2-D arrays"),
    ],
    ids=["lengths", "empty", "2-D"],
)
def test_roc_rejects_bad_shapes(impl: ModuleType, y: Any, scores: Any, problem: str) -> None:
    for fn in (impl.roc_auc, impl.roc_curve):
        with pytest.raises(ValueError):
            fn(y, scores)
            pytest.fail(f"{fn.__name__} should raise ValueError for {problem}", pytrace=False)


# -- differential ------------------------------------------------------------------------------
LABEL_SETS = [np.array([0, 1]), np.array([0, 1, 2, 3]), np.array(["cat", "dog", "emu"])]


@st.composite
def _prf_case(draw: st.DrawFn) -> dict[str, Any]:
    labels = draw(st.sampled_from(LABEL_SETS))
    n = draw(st.integers(1, 12))
    codes = st.integers(0, len(labels) - 1)
    y_true = labels[draw(st.lists(codes, min_size=n, max_size=n))]
    y_pred = labels[draw(st.lists(codes, min_size=n, max_size=n))]
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "average": draw(st.sampled_from(["binary", "micro", "macro", "weighted", "samples"])),
        "pos_label": labels[draw(codes)],
        "zero_division": draw(st.sampled_from([0.0, 1.0, 0.25])),
    }


@pytest.mark.clause(
    "prf", "prf-tuple", "zero-division", "classes", "binary", "binary-labels", "micro", "macro",
    "weighted", "average",
)  # fmt: skip
@given(case=_prf_case())
@example(
    case={"y_true": np.array([0, 0]), "y_pred": np.array([0, 0]), "average": "binary",
          "pos_label": 1, "zero_division": 0.25}
)  # fmt: skip
@example(
    case={"y_true": np.array([0, 0, 0]), "y_pred": np.array([0, 3, 3]), "average": "macro",
          "pos_label": 1, "zero_division": 1.0}
)  # fmt: skip
def test_precision_recall_f1_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: dict[str, Any]
) -> None:
    # ratios of small counts and their means: a few ulps whatever the order of the sums
    diff.assert_same(
        _no_warnings(impl.precision_recall_f1), reference.precision_recall_f1,
        rtol=1e-12, atol=1e-15, **case,
    )  # fmt: skip


@st.composite
def _roc_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 14))
    y = np.array(draw(st.lists(st.sampled_from([0, 1, 1, 0, 2][: draw(st.integers(4, 5))]),
                               min_size=n, max_size=n)))  # fmt: skip
    values = st.one_of(
        st.sampled_from([0.0, -0.0, 1.0, 1.0, 0.5, -1e300, 1e300]),
        st.floats(-5, 5, width=16),  # few distinct values: many ties
    )
    scores = np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=np.float64)
    return y, scores


@pytest.mark.clause(
    "thresholds", "rates", "curve-ties", "auc", "auc-constant", "roc-labels", "single-class",
    "shapes",
)  # fmt: skip
@pytest.mark.filterwarnings("ignore:invalid value encountered in subtract:RuntimeWarning")
@given(case=_roc_case())
@example(case=(np.array([0, 1, 0, 1]), np.array([0.2, 0.2, 0.1, 0.9])))
@example(case=(np.array([1, 0, 1, 0]), np.array([0.0, -0.0, 0.0, 3.0])))
@example(case=(np.array([1, 0, 0]), np.full(3, 0.7)))
def test_roc_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple[np.ndarray, np.ndarray]
) -> None:
    y, scores = case
    # rates and areas are ratios of counts (trapezoid or rank sums): a few ulps apart
    diff.assert_same(
        _no_warnings(impl.roc_curve), reference.roc_curve, y, scores, rtol=1e-12, atol=1e-15
    )
    diff.assert_same(
        _no_warnings(impl.roc_auc), reference.roc_auc, y, scores, rtol=1e-12, atol=1e-15
    )


@pytest.mark.clause("auc-cost")
def test_roc_auc_memory_is_linear(impl: ModuleType) -> None:
    rng = np.random.default_rng(16)
    n = 4000
    y = rng.integers(0, 2, size=n)
    scores = rng.integers(0, 50, size=n).astype(np.float64)
    impl.roc_auc(y[:20], scores[:20])  # warm up
    tracemalloc.start()
    try:
        impl.roc_auc(y, scores)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 40 * n * 8, (
        f"roc_auc of {n} scores peaked at {peak // 1024} KiB: comparing every (positive, "
        f"negative) pair is O(P * N) ({n * n // 4 // 1024} KiB of booleans here). Rank the "
        "scores once (O(n log n)) and use the rank-sum formula"
    )
