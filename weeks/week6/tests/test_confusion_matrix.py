"""Tests of week6.confusion_matrix: counts vs a loop and scikit-learn, absent classes,
normalisation modes, label validation, the per-class report, one bincount call.

Run: ``pytest weeks/week6/tests/test_confusion_matrix.py``.
"""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import pytest
from sklearn import metrics


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
