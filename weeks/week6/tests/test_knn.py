"""Tests of week6.knn: neighbours and votes against scikit-learn, tie rules, exact matches, chunks.

``sklearn.neighbors.KNeighborsClassifier(algorithm="brute")`` is the oracle on random data with
no distance ties; hand-made cases pin down the tie rule (smallest label) and exact matches.
Differential tests judge the same calls against the reference solution (``reference``) on
Hypothesis-drawn data: integer grids (exact distance ties, duplicates, exact matches), string
labels, every metric, weighting, ``k`` and ``chunk_size``. Where several neighbours tie at the
k-th distance the spec lets you pick any of them, so those rows are only checked for validity.
Run: ``pytest weeks/week6/tests/test_knn.py``.
"""

from __future__ import annotations

import functools
import tracemalloc
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.neighbors import KNeighborsClassifier

from grader import differential as diff

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


@pytest.mark.clause("euclidean", "cosine", "uniform", "distance-weights", "labels", "fit-self")
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


@pytest.mark.clause("kneighbors", "euclidean", "cosine")
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


@pytest.mark.clause("ties", "uniform")
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


@pytest.mark.clause("ties", "labels")
def test_tie_rule_uses_sorted_string_labels(impl: ModuleType) -> None:
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    y = np.array(["zolpidem", "aspirin"])
    got = np.asarray(_fit(impl, X, y, k=2, weights="distance").predict([[0.0, 0.0]])).tolist()
    assert got == ["aspirin"], (
        f"two neighbours at the same distance with labels 'zolpidem' and 'aspirin': equal 1/d "
        f"weights, the tie goes to the smallest label 'aspirin'; got {got}"
    )


@pytest.mark.clause("distance-weights")
def test_distance_weights_are_inverse_distance(impl: ModuleType) -> None:
    X = np.array([[1.0], [1.5], [-1.6], [10.0]])
    y = np.array([0, 1, 1, 0])
    got = np.asarray(_fit(impl, X, y, k=3, weights="distance").predict([[0.0]])).tolist()
    assert got == [1], (
        "neighbours of 0.0 at distances 1 (label 0), 1.5 and 1.6 (label 1): weights 1/d give "
        f"1.0 vs 0.667 + 0.625 = 1.29, so label 1 (1/d^2 would wrongly give label 0); got {got}"
    )


@pytest.mark.clause("exact-match")
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
    X = np.array([[0.0], [0.0], [0.0], [0.5]])
    model = _fit(impl, X, np.array([5, 2, 5, 2]), k=4, weights="distance")
    with np.errstate(divide="ignore", invalid="ignore"):
        got = np.asarray(model.predict(np.array([[0.0]]))).tolist()
    assert got == [5], (
        "three exact matches (labels 5, 2, 5) vote with weight 1 each, so label 5 wins 2 to 1; "
        f"got {got} (infinite 1/0 weights make every exact match tie)"
    )


@pytest.mark.clause("cosine-zero")
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


@pytest.mark.clause("chunk-invariant")
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


def _bad(kwargs: dict, problem: str, clause: str, X: Any = None, y: Any = None) -> Any:
    return pytest.param(kwargs, problem, X, y, marks=pytest.mark.clause(clause), id=problem)


@pytest.mark.parametrize(
    ("kwargs", "problem", "X", "y"),
    [
        _bad({"k": 6}, "k=6 with only 5 training points", "k-range"),
        _bad({"k": 0}, "k=0", "k-range"),
        _bad({"k": -2}, "k=-2", "k-range"),
        _bad({"metric": "manhattan"}, "an unknown metric", "options"),
        _bad({"weights": "gaussian"}, "unknown weights", "options"),
        _bad({"chunk_size": 0}, "chunk_size=0", "chunk-size"),
        _bad({"k": 1}, "1-D X", "x-2d", np.arange(5.0)),
        _bad({"k": 1}, "3-D X", "x-2d", np.zeros((5, 2, 1))),
        _bad({"k": 1}, "4 labels for 5 rows", "y-shape", None, np.array([0, 1, 0, 1])),
        _bad({"k": 1}, "y of shape (5, 1)", "y-shape", None, np.zeros((5, 1))),
    ],
)
def test_fit_rejects_bad_settings(
    impl: ModuleType, kwargs: dict, problem: str, X: Any, y: Any
) -> None:
    X = np.arange(10.0).reshape(5, 2) if X is None else X
    y = np.array([0, 1, 0, 1, 0]) if y is None else y
    with pytest.raises(ValueError):
        impl.KNNClassifier(**kwargs).fit(X, y)
        pytest.fail(f"fit should raise ValueError for {problem}", pytrace=False)


@pytest.mark.clause("query-shape")
@pytest.mark.parametrize("method", ["kneighbors", "predict"])
@pytest.mark.parametrize("Q", [np.zeros((3, 3)), np.zeros(2), np.zeros((1, 2, 1))], ids=str)
def test_queries_of_the_wrong_shape_raise(impl: ModuleType, method: str, Q: np.ndarray) -> None:
    model = _fit(impl, np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 0]), k=2)
    with pytest.raises(ValueError):
        getattr(model, method)(Q)
        pytest.fail(f"{method} of queries of shape {Q.shape} (d = 2) should raise", pytrace=False)


# -- differential ------------------------------------------------------------------------------
@st.composite
def _knn_case(draw: st.DrawFn) -> dict[str, Any]:
    n, d, m = draw(st.integers(1, 8)), draw(st.integers(1, 3)), draw(st.integers(0, 6))
    grid = draw(st.booleans())  # integer grid: exact ties, duplicates, exact matches, zeros
    elements = st.integers(-3, 3).map(float) if grid else st.floats(-10, 10, width=32)
    X = draw(hnp.arrays(np.float64, (n, d), elements=elements))
    Q = draw(hnp.arrays(np.float64, (m, d), elements=elements))
    if n and m and draw(st.booleans()):
        Q[0] = X[draw(st.integers(0, n - 1))]  # an exact match
    labels = draw(st.sampled_from([np.array([3, 1, 7]), np.array(["b", "a", "c"])]))
    y = labels[draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 2)))]
    return {
        "X": X, "y": y, "Q": Q,
        "k": draw(st.integers(1, n)),
        "metric": draw(st.sampled_from(["euclidean", "cosine"])),
        "weights": draw(st.sampled_from(["uniform", "distance"])),
        "chunk_size": draw(st.sampled_from([1, 2, 1024])),
    }  # fmt: skip


def _run(module: ModuleType, case: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    params = {key: case[key] for key in ("k", "metric", "weights", "chunk_size")}
    model = module.KNNClassifier(**params)
    assert model.fit(case["X"], case["y"]) is model, "fit must return self"
    with np.errstate(divide="ignore", invalid="ignore"):
        dist, idx = model.kneighbors(case["Q"])
        return np.asarray(dist), np.asarray(idx), np.asarray(model.predict(case["Q"]))


# euclidean distances via |q|^2 - 2 q.x + |x|^2 lose ~sqrt(eps) * |x| near 0; cosine ~ eps
def _dist_tol(case: dict[str, Any]) -> float:
    scale = 1.0 + float(np.abs(case["X"]).max(initial=0) + np.abs(case["Q"]).max(initial=0))
    return 1e-7 * scale if case["metric"] == "euclidean" else 1e-12


def _judge(case: dict[str, Any], all_dist: np.ndarray, all_idx: np.ndarray) -> Any:
    """``compare`` for ``_run``: the spec's invariants, given the reference's sorted distances
    to *every* training point (``all_dist``, ``all_idx``: kneighbors with k = n)."""
    k, tol = case["k"], _dist_tol(case)
    full = np.empty_like(all_dist)  # full[row, j] = reference distance of query row to point j
    np.put_along_axis(full, all_idx, all_dist, axis=1)

    def compare(got: Any, want: Any) -> str | None:
        (gd, gi, gp), (wd, wi, wp) = got, want
        if gi.dtype != np.int64:
            return f"kneighbors indices must be int64, got {gi.dtype}"
        found = diff.same(gd, wd, rtol=1e-9, atol=tol, path="kneighbors distances")
        found = found or diff.same(gp.dtype.kind, wp.dtype.kind, path="predict dtype kind")
        if found or gi.shape != wi.shape or gp.shape != wp.shape:
            return found or f"shapes differ: {gi.shape}, {gp.shape} vs {wi.shape}, {wp.shape}"
        for row in range(gi.shape[0]):
            if len(set(gi[row].tolist())) != k:
                return f"query {row}: the same training index twice in {gi[row].tolist()}"
            if diff.same(full[row, gi[row]], wd[row], rtol=1e-9, atol=tol):
                return (
                    f"query {row}: training points {gi[row].tolist()} are not at the distances "
                    f"{wd[row].tolist()} of its {k} nearest (sorted ascending)"
                )
            boundary = k < full.shape[1] and all_dist[row, k] - all_dist[row, k - 1] <= tol
            if not boundary and not _vote_is_close(case, wd[row], wi[row]) and gp[row] != wp[row]:
                return f"predict: query {row} should be {wp[row]!r}, got {gp[row]!r}"
        return None

    return compare


def _vote_is_close(case: dict[str, Any], dist: np.ndarray, idx: np.ndarray) -> bool:
    """Whether two labels' distance-weighted totals differ by rounding only (not exactly)."""
    if case["weights"] != "distance" or (dist == 0).any():
        return False
    totals: dict[Any, float] = {}
    for d, i in zip(dist, idx, strict=True):
        totals[case["y"][i]] = totals.get(case["y"][i], 0.0) + 1.0 / d
    top = sorted(totals.values(), reverse=True)
    return len(top) > 1 and top[0] != top[1] and top[0] - top[1] <= 1e-6 * top[0]


@pytest.mark.clause(
    "euclidean", "cosine", "cosine-zero", "uniform", "distance-weights", "exact-match", "ties",
    "labels", "chunk-invariant", "kneighbors", "predict", "no-queries", "fit-self",
)  # fmt: skip
@given(case=_knn_case())
@example(
    case={
        "X": np.array([[0.9], [-1.0], [3.0], [-3.2]]), "y": np.array([1, 0, 1, 0]),
        "Q": np.array([[0.0]]), "k": 2, "metric": "euclidean", "weights": "uniform",
        "chunk_size": 1024,
    }
)  # fmt: skip
@example(
    case={
        "X": np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]), "y": np.array(["b", "c", "a"]),
        "Q": np.array([[0.0, 0.0], [2.0, 2.0]]), "k": 3, "metric": "cosine",
        "weights": "distance", "chunk_size": 1,
    }
)  # fmt: skip
def test_knn_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: dict[str, Any]
) -> None:
    everything = {**case, "k": len(case["X"])}
    all_dist, all_idx, _ = _run(reference, everything)
    diff.assert_same(
        functools.partial(_run, impl), functools.partial(_run, reference), case,
        compare=_judge(case, all_dist, all_idx),
    )  # fmt: skip


@pytest.mark.clause("chunks")
def test_memory_is_one_chunk_of_distances(impl: ModuleType) -> None:
    X, y, _ = _data(seed=3, n=500, d=4)
    Q = np.random.default_rng(4).normal(size=(2000, 4))
    full = Q.shape[0] * X.shape[0] * 8  # an (m, n) distance matrix: 8 MB
    for method in ("predict", "kneighbors"):
        model = _fit(impl, X, y, k=3, chunk_size=50)
        getattr(model, method)(Q[:10])  # warm up
        tracemalloc.start()
        try:
            getattr(model, method)(Q)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak <= full // 4, (
            f"{method} of 2000 queries against 500 points with chunk_size=50 peaked at "
            f"{peak // 1024} KiB; the full distance matrix is {full // 1024} KiB. Compute the "
            "distances of chunk_size queries at a time"
        )
