"""Tests of week6.knn: neighbours and votes against scikit-learn, tie rules, exact matches, chunks.

``sklearn.neighbors.KNeighborsClassifier(algorithm="brute")`` is the oracle on random data with
no distance ties; hand-made cases pin down the tie rule (smallest label) and exact matches.
Run: ``pytest weeks/week6/tests/test_knn.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

LABELS = np.array([2, 5, 7])  # non-contiguous labels: predictions must map back to them


def _data(seed: int, n: int = 80, m: int = 37, d: int = 4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = LABELS[rng.integers(0, 3, size=n)]
    Q = rng.normal(size=(m, d))
    return X, y, Q


def _fit(impl: ModuleType, X: np.ndarray, y: np.ndarray, **kwargs) -> object:
    model = impl.KNNClassifier(**kwargs)
    assert model.fit(X, y) is model, "fit must return self"
    return model


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_predict_matches_sklearn(impl: ModuleType, metric: str, weights: str) -> None:
    X, y, Q = _data(seed=0)
    for k in (1, 4, 7):
        got = np.asarray(_fit(impl, X, y, k=k, metric=metric, weights=weights).predict(Q))
        ref = KNeighborsClassifier(k, weights=weights, metric=metric, algorithm="brute")
        want = ref.fit(X, y).predict(Q)
        bad = np.flatnonzero(got != want)
        assert bad.size == 0, (
            f"k={k}, metric={metric}, weights={weights}: {bad.size} of {len(Q)} predictions "
            f"differ from sklearn (first at query {bad[0]}: want {want[bad[0]]}, got "
            f"{got[bad[0]]}). Vote ties go to the smallest label; distance weights are 1 / d "
            "with the true (not squared) distance"
        )


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_kneighbors_matches_sklearn(impl: ModuleType, metric: str) -> None:
    X, y, Q = _data(seed=1)
    dist, idx = _fit(impl, X, y, k=5, metric=metric).kneighbors(Q)
    ref = KNeighborsClassifier(5, metric=metric, algorithm="brute").fit(X, y)
    want_dist, want_idx = ref.kneighbors(Q)
    dist, idx = np.asarray(dist), np.asarray(idx)
    assert dist.shape == idx.shape == (len(Q), 5), (
        f"kneighbors must return two ({len(Q)}, 5) arrays, got {dist.shape} and {idx.shape}"
    )
    np.testing.assert_array_equal(
        idx, want_idx, err_msg=f"{metric} neighbour indices, nearest first"
    )
    np.testing.assert_allclose(
        dist,
        want_dist,
        rtol=1e-9,
        atol=1e-12,
        err_msg=f"{metric} distances differ from sklearn"
        + (" (return ||a - b||, not its square)" if metric == "euclidean" else " (1 - cosine)"),
    )


def test_uniform_vote_tie_goes_to_the_smallest_label(impl: ModuleType) -> None:
    X = np.array([[0.9], [-1.0], [3.0], [-3.2]])
    y = np.array([1, 0, 1, 0])
    model = _fit(impl, X, y, k=2)
    got = np.asarray(model.predict(np.array([[0.0]]))).tolist()
    assert got == [0], (
        f"k=2 neighbours of 0.0 are 0.9 (label 1) and -1.0 (label 0): a 1-1 tie, which goes to "
        f"the smallest label 0, not to the nearest point's label; got {got}"
    )
    got = np.asarray(_fit(impl, X, y, k=4).predict(np.array([[0.0]]))).tolist()
    assert got == [0], f"k=4: 2 votes each, the tie goes to label 0; got {got}"


def test_tie_rule_uses_sorted_string_labels(impl: ModuleType) -> None:
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    y = np.array(["zolpidem", "aspirin"])
    got = np.asarray(_fit(impl, X, y, k=2, weights="distance").predict([[0.0, 0.0]])).tolist()
    assert got == ["aspirin"], (
        f"two neighbours at the same distance with labels 'zolpidem' and 'aspirin': equal 1/d "
        f"weights, the tie goes to the smallest label 'aspirin'; got {got}"
    )


def test_distance_weights_are_inverse_distance(impl: ModuleType) -> None:
    X = np.array([[1.0], [1.5], [-1.6], [10.0]])
    y = np.array([0, 1, 1, 0])
    got = np.asarray(_fit(impl, X, y, k=3, weights="distance").predict([[0.0]])).tolist()
    assert got == [1], (
        "neighbours of 0.0 at distances 1 (label 0), 1.5 and 1.6 (label 1): weights 1/d give "
        f"1.0 vs 0.667 + 0.625 = 1.29, so label 1 (1/d^2 would wrongly give label 0); got {got}"
    )


def test_exact_match_wins_with_distance_weights(impl: ModuleType) -> None:
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [-0.1, 0.0], [2.0, 2.0]])
    y = np.array([3, 1, 1, 1, 3])
    model = _fit(impl, X, y, k=4, weights="distance")
    with np.errstate(divide="ignore", invalid="ignore"):
        got = np.asarray(model.predict(np.array([[0.0, 0.0], [0.05, 0.0]]))).tolist()
    assert got == [3, 1], (
        "the query (0, 0) is training point 0 (label 3): with distance weights an exact match "
        f"wins outright over three label-1 neighbours at 0.1; expected [3, 1], got {got}"
    )


def test_cosine_handles_zero_vectors(impl: ModuleType) -> None:
    X = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    y = np.array([0, 1, 2])
    model = _fit(impl, X, y, k=3, metric="cosine")
    with np.errstate(divide="ignore", invalid="ignore"):
        dist, idx = model.kneighbors(np.array([[2.0, 0.1], [0.0, 0.0]]))
    dist = np.asarray(dist)
    assert np.isfinite(dist).all(), (
        f"cosine distances with zero vectors must be finite, got\n{dist}"
    )
    by_index = np.take_along_axis(dist, np.argsort(np.asarray(idx), axis=1), axis=1)
    np.testing.assert_allclose(
        by_index[1], [1.0, 1.0, 1.0], err_msg="a zero query has cosine distance 1 to everything"
    )
    assert by_index[0, 2] == pytest.approx(1.0), "distance to a zero training vector must be 1"


def test_results_do_not_depend_on_chunk_size(impl: ModuleType) -> None:
    X, y, Q = _data(seed=2, m=23)
    ref = _fit(impl, X, y, k=5, weights="distance", chunk_size=1024)
    want_pred = np.asarray(ref.predict(Q))
    want_dist, want_idx = (np.asarray(a) for a in ref.kneighbors(Q))
    for chunk in (1, 4, 7, 22, 23):
        model = _fit(impl, X, y, k=5, weights="distance", chunk_size=chunk)
        pred = np.asarray(model.predict(Q))
        dist, idx = (np.asarray(a) for a in model.kneighbors(Q))
        assert pred.shape == (23,) and dist.shape == (23, 5), (
            f"chunk_size={chunk} with 23 queries: expected 23 predictions and (23, 5) distances, "
            f"got {pred.shape} and {dist.shape} (is the last, partial chunk processed?)"
        )
        np.testing.assert_array_equal(pred, want_pred, err_msg=f"predict with chunk_size={chunk}")
        np.testing.assert_array_equal(idx, want_idx, err_msg=f"kneighbors with chunk_size={chunk}")


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"k": 6}, "k=6 with only 5 training points"),
        ({"k": 0}, "k=0"),
        ({"metric": "manhattan"}, "an unknown metric"),
        ({"weights": "gaussian"}, "unknown weights"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_fit_rejects_bad_settings(impl: ModuleType, kwargs: dict, problem: str) -> None:
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError):
        impl.KNNClassifier(**kwargs).fit(X, np.array([0, 1, 0, 1, 0]))
        pytest.fail(f"fit should raise ValueError for {problem}", pytrace=False)
