"""Tests of week6.confusion_matrix: counts vs a loop and scikit-learn, absent classes,
normalisation modes, label validation, the per-class report, one bincount call.

Run: ``pytest weeks/week6/tests/test_confusion_matrix.py``.
"""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sklearn import metrics

from grader import differential as diff


def _loop(y_true, y_pred, n: int) -> np.ndarray:
    cm = np.zeros((n, n), dtype=np.int64)
    for t, p in zip(y_true, y_pred, strict=True):
        cm[t, p] += 1
    return cm


def _labels(seed: int, n: int = 200, classes: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.choice(
        classes, size=n, p=np.linspace(2, 1, classes) / np.linspace(2, 1, classes).sum()
    )
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, classes, size=n))
    return y_true, y_pred


@pytest.mark.clause("counts", "int-counts")
def test_counts_match_a_loop_and_sklearn(impl: ModuleType) -> None:
    y_true, y_pred = _labels(0)
    got = np.asarray(impl.confusion_matrix(y_true, y_pred))
    want = _loop(y_true, y_pred, 5)
    assert got.shape == (5, 5), f"5 classes give a (5, 5) matrix, got {got.shape}"
    assert got.dtype.kind in "iu", f"unnormalised counts must be integers, got dtype {got.dtype}"
    np.testing.assert_array_equal(
        got, want, err_msg="cm[i, j] counts true class i predicted as j (rows: truth)"
    )
    np.testing.assert_array_equal(got, metrics.confusion_matrix(y_true, y_pred))


@pytest.mark.clause("one-bincount", "complexity")
def test_uses_a_single_bincount(impl: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = np.bincount

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(np, "bincount", counting)
    y_true, y_pred = _labels(1)
    got = np.asarray(impl.confusion_matrix(y_true, y_pred, n_classes=5))
    monkeypatch.undo()
    np.testing.assert_array_equal(got, _loop(y_true, y_pred, 5))
    assert len(calls) == 1, (
        f"build the matrix with exactly one np.bincount call on the codes true * n + pred "
        f"(no Python loop over samples or classes); np.bincount was called {len(calls)} times"
    )


@pytest.mark.clause("absent-classes", "n-classes-default")
def test_absent_classes_keep_their_row_and_column(impl: ModuleType) -> None:
    y_true, y_pred = [0, 1, 1, 3], [0, 1, 0, 1]
    got = np.asarray(impl.confusion_matrix(y_true, y_pred, n_classes=6))
    want = _loop(y_true, y_pred, 6)
    assert got.shape == (6, 6), (
        f"n_classes=6 gives (6, 6) even if classes 2, 4, 5 never occur, got {got.shape}"
    )
    np.testing.assert_array_equal(got, want)
    inferred = np.asarray(impl.confusion_matrix([0, 1, 1], [0, 4, 1]))
    assert inferred.shape == (5, 5), (
        f"n_classes=None with labels up to 4 (in y_pred only) gives (5, 5), got {inferred.shape}"
    )


@pytest.mark.clause("normalize", "zero-division")
@pytest.mark.parametrize("normalize", ["true", "pred", "all"])
def test_normalisation_matches_sklearn(impl: ModuleType, normalize: str) -> None:
    y_true, y_pred = _labels(2, n=60, classes=4)
    y_true[y_true == 3] = 2  # class 3 never true: an all-zero row
    y_pred[y_pred == 1] = 0  # class 1 never predicted: an all-zero column
    with np.errstate(divide="raise", invalid="raise"):
        got = np.asarray(impl.confusion_matrix(y_true, y_pred, n_classes=4, normalize=normalize))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = metrics.confusion_matrix(y_true, y_pred, labels=range(4), normalize=normalize)
    assert not np.isnan(got).any(), (
        f"normalize={normalize!r}: a zero row/column must give 0, not nan"
    )
    np.testing.assert_allclose(
        got,
        want,
        atol=1e-12,
        err_msg=f"normalize={normalize!r}: 'true' divides rows, 'pred' columns, 'all' the total",
    )


@pytest.mark.clause("label-range", "shapes", "integer-labels", "normalize-unknown")
@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "problem"),
    [
        ([0, 1, 5], [0, 1, 1], {"n_classes": 5}, "label 5 with n_classes=5"),
        ([0, 1, 2], [0, -1, 1], {}, "label -1"),
        ([0, 1], [0, 1, 1], {}, "arrays of different lengths"),
        ([0.0, 1.0], [0.0, 1.0], {}, "float labels"),
        ([0, 1], [0, 1], {"normalize": "rows"}, "normalize='rows'"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_inputs_raise_value_error(
    impl: ModuleType, y_true: list, y_pred: list, kwargs: dict, problem: str
) -> None:
    with pytest.raises(ValueError):
        impl.confusion_matrix(np.array(y_true), np.array(y_pred), **kwargs)
        pytest.fail(f"confusion_matrix should raise ValueError for {problem}", pytrace=False)


@pytest.mark.clause("report")
def test_per_class_report_matches_sklearn(impl: ModuleType) -> None:
    y_true, y_pred = _labels(3, n=80, classes=5)
    y_pred[y_pred == 4] = 0  # class 4 never predicted: precision 0/0 -> 0
    report = impl.per_class_report(y_true, y_pred, n_classes=6)  # class 5 never occurs at all
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, s = metrics.precision_recall_fscore_support(
            y_true, y_pred, labels=range(6), zero_division=0
        )
    for key, want in (("precision", p), ("recall", r), ("f1", f), ("support", s)):
        got = np.asarray(report[key])
        assert got.shape == (6,), f"report[{key!r}] must have shape (6,), got {got.shape}"
        assert not np.isnan(got).any(), f"report[{key!r}] has nan; undefined ratios are 0"
        np.testing.assert_allclose(got, want, atol=1e-12, err_msg=f"report[{key!r}] vs sklearn")


# -- judged against the reference --------------------------------------------------------------
# Counts are exact. Rates are one division each: any correct order (cm / row sum, cm * (1 / sum))
# is within a few ulps, so rtol = 1e-12.
def _started(impl: ModuleType) -> None:
    """A valid call first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.confusion_matrix([0], [0])
    impl.per_class_report([0], [0])


def _exact_dtypes(got, want) -> str | None:
    pairs = got.items() if isinstance(got, dict) and isinstance(want, dict) else [("result", got)]
    for key, g in pairs:
        w = want[key] if isinstance(want, dict) else want
        if isinstance(g, np.ndarray) and isinstance(w, np.ndarray):
            kind = {"i": "int64", "f": "float64"}.get(w.dtype.kind)
            if kind and g.dtype != np.dtype(kind):
                return f"{key}: expected a {kind} array, got dtype {g.dtype}"
    return diff.same(got, want, rtol=1e-12)


_LABEL = st.integers(-1, 6)
_DTYPES = st.sampled_from(["int64", "int32", "uint8", "bool", "float64", "list"])


@st.composite
def _label_pairs(draw):
    n = draw(st.integers(0, 12))
    m = draw(st.sampled_from([n] * 6 + [n + 1, 1]))
    low = draw(st.sampled_from([0, 0, 0, -1]))
    top = draw(st.integers(0, 6))
    t = draw(st.lists(st.integers(low, top), min_size=n, max_size=n))
    p = draw(st.lists(st.integers(low, top), min_size=m, max_size=m))
    dtype = draw(_DTYPES)
    if dtype == "list":
        return t, p
    if dtype in ("uint8", "bool"):
        t, p = [abs(v) for v in t], [abs(v) for v in p]
    if dtype == "bool":
        t, p = [v % 2 for v in t], [v % 2 for v in p]
    return np.array(t).astype(dtype), np.array(p).astype(dtype)


@pytest.mark.clause(
    "counts", "n-classes-default", "absent-classes", "int-counts", "normalize", "zero-division",
    "shapes", "integer-labels", "label-range", "n-classes-range", "normalize-unknown",
    "empty-infer",
)  # fmt: skip
@given(
    labels=_label_pairs(),
    n_classes=st.sampled_from([None, None, 1, 3, 5, 8, 0, -2]),
    normalize=st.sampled_from([None, "true", "pred", "all", "rows", "True"]),
)
@example(labels=([0, 1, 1], [0, 4, 1]), n_classes=None, normalize=None)
@example(labels=([0, 1, 2], [1]), n_classes=None, normalize=None)
@example(labels=(np.array([]), np.array([])), n_classes=3, normalize="true")
@example(labels=([], []), n_classes=None, normalize=None)
@example(labels=([], []), n_classes=0, normalize=None)
@example(labels=(np.array([True, False]), np.array([True, True])), n_classes=None, normalize="pred")
@example(labels=(np.array([[0, 1]]), np.array([[0, 1]])), n_classes=2, normalize=None)
@example(labels=(np.array([0.0, 1.0]), np.array([0, 1])), n_classes=2, normalize=None)
def test_matrix_agrees_with_the_reference(impl, reference, labels, n_classes, normalize) -> None:
    _started(impl)
    y_true, y_pred = labels
    with np.errstate(all="raise"):
        diff.assert_same(
            impl.confusion_matrix, reference.confusion_matrix, y_true, y_pred,
            n_classes=n_classes, normalize=normalize, compare=_exact_dtypes,
        )  # fmt: skip


@pytest.mark.clause("report", "label-range", "shapes", "n-classes-default", "absent-classes")
@given(labels=_label_pairs(), n_classes=st.sampled_from([None, None, 2, 4, 7]))
@example(labels=([0, 1, 1, 2], [0, 0, 1, 1]), n_classes=4)
@example(labels=([0, 0], [1, 1]), n_classes=None)
def test_report_agrees_with_the_reference(impl, reference, labels, n_classes) -> None:
    _started(impl)
    y_true, y_pred = labels
    with np.errstate(all="raise"):
        diff.assert_same(
            impl.per_class_report, reference.per_class_report, y_true, y_pred,
            n_classes=n_classes, compare=_exact_dtypes,
        )  # fmt: skip
