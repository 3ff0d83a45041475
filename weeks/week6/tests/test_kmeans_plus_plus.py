"""Tests of week6.kmeans_plus_plus: D^2 seeding, Lloyd iterations, empty clusters, determinism.

The k-means++ seeding is judged by counting: thousands of seedings on a tiny data set, compared
with the exact D^2 probabilities by a chi-square test. Lloyd's iterations are judged against
``sklearn.cluster.KMeans`` started from the same centroids, and differentially against the
reference solution (``reference``) on Hypothesis-drawn data with duplicate points, duplicate
initial centroids (ties, empty clusters) and non-default ``n_iter``.
Run: ``pytest weeks/week6/tests/test_kmeans_plus_plus.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import tracemalloc
from collections import Counter
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import binomtest, chisquare
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from grader import differential as diff

LINE = np.array([[0.0], [1.0], [2.0], [6.0], [7.0], [15.0]])  # tiny 1-D data for seeding counts


def _kpp_probabilities(X: np.ndarray, k: int) -> dict[tuple[int, ...], float]:
    """Exact probability of every ordered sequence of k-means++ picks (small X only)."""
    n = len(X)
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    out: dict[tuple[int, ...], float] = {}

    def walk(seq: tuple[int, ...], closest: np.ndarray, prob: float) -> None:
        if len(seq) == k:
            out[seq] = out.get(seq, 0.0) + prob
            return
        total = closest.sum()
        p = closest / total if total > 0 else np.full(n, 1.0 / n)
        for i in np.flatnonzero(p > 0):
            walk((*seq, int(i)), np.minimum(closest, d2[i]), prob * p[i])

    for first in range(n):
        walk((first,), d2[first].copy(), 1.0 / n)
    return out


def _row_indices(X: np.ndarray, centres: np.ndarray) -> tuple[int, ...]:
    centres = np.asarray(centres, dtype=np.float64)
    d = ((centres[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    assert np.allclose(d.min(axis=1), 0.0), (
        f"kmeans_plus_plus_init must return rows of X, got\n{centres}"
    )
    return tuple(int(i) for i in d.argmin(axis=1))


def _blobs(seed: int, n: int = 240, centers: int = 4, std: float = 0.6):
    return make_blobs(n, centers=centers, cluster_std=std, random_state=seed, center_box=(-20, 20))


def _inertia(X: np.ndarray, C: np.ndarray, labels: np.ndarray) -> float:
    return float(((X - C[labels]) ** 2).sum())


# -- squared distances -----------------------------------------------------------------------
@pytest.mark.clause("sqdist", "sqdist-clip")
def test_squared_distances_match_loops_and_are_never_negative(impl: ModuleType) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 3))
    C = rng.normal(size=(4, 3))
    want = np.array([[((x - c) ** 2).sum() for c in C] for x in X])
    got = np.asarray(impl.squared_distances(X, C))
    assert got.shape == (7, 4), f"squared_distances of (7, 3) and (4, 3) is (7, 4), got {got.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    far = 1e8 + rng.normal(size=(50, 2))  # rounding makes x^2 - 2xc + c^2 negative here
    self_d = np.asarray(impl.squared_distances(far, far))
    assert (self_d >= 0).all(), (
        f"squared distances must never be negative; got min {self_d.min()} for points near 1e8. "
        "Clip the expansion with np.maximum(d2, 0)"
    )


# -- k-means++ seeding -------------------------------------------------------------------------
@pytest.mark.clause("d2-sampling")
@pytest.mark.parametrize("k", [2, 3])
def test_plus_plus_picks_follow_the_d2_distribution(impl: ModuleType, k: int) -> None:
    runs = 3000
    rng = np.random.default_rng(1234 + k)
    observed = Counter(
        _row_indices(LINE, impl.kmeans_plus_plus_init(LINE, k, rng)) for _ in range(runs)
    )
    exact = _kpp_probabilities(LINE, k)
    impossible = {seq: c for seq, c in observed.items() if seq not in exact}
    assert not impossible, (
        f"these pick sequences (row indices of X = {LINE.ravel().tolist()}) have probability 0 "
        f"under k-means++ but you produced them: {dict(list(impossible.items())[:5])}. A point "
        "already chosen is at distance 0 and can never be picked again"
    )
    big = [seq for seq, p in exact.items() if p * runs >= 5]
    f_exp = [exact[seq] * runs for seq in big]
    f_obs = [observed.get(seq, 0) for seq in big]
    f_exp.append(runs - sum(f_exp))
    f_obs.append(runs - sum(f_obs))
    p_value = chisquare(f_obs, f_exp).pvalue
    worst = max(big, key=lambda s: abs(observed.get(s, 0) - exact[s] * runs))
    assert p_value > 1e-4, (
        f"over {runs} seedings of X = {LINE.ravel().tolist()} with k={k}, your pick frequencies "
        f"do not follow k-means++ (chi-square p = {p_value:.2e}). E.g. sequence {worst}: "
        f"expected about {exact[worst] * runs:.0f}, got {observed.get(worst, 0)}. First pick "
        "uniform, then each point with probability D(x)^2 / sum D^2, D = distance to the "
        "NEAREST chosen centre (squared, not plain distance)"
    )


@pytest.mark.clause("rng-only")
def test_plus_plus_uses_only_the_given_rng(impl: ModuleType) -> None:
    X, _ = _blobs(seed=2)
    np.random.seed(98)
    a = np.asarray(impl.kmeans_plus_plus_init(X, 4, np.random.default_rng(7)))
    np.random.seed(99)  # a learner drawing from the global RNG instead of `rng` is caught
    b = np.asarray(impl.kmeans_plus_plus_init(X, 4, np.random.default_rng(7)))
    assert a.shape == (4, 2), (
        f"kmeans_plus_plus_init(X, 4, rng) must have shape (4, 2), got {a.shape}"
    )
    np.testing.assert_array_equal(
        a, b, err_msg="two generators with the same seed gave different seeds"
    )
    _row_indices(X, a)


# -- Lloyd iterations --------------------------------------------------------------------------
@pytest.mark.clause("init", "lloyd", "seed-once", "result")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_matches_sklearn_from_the_same_init(impl: ModuleType, seed: int) -> None:
    X, _ = _blobs(seed=seed, std=2.5, centers=5)
    init = X[np.random.default_rng(seed).choice(len(X), 5, replace=False)]
    ours = impl.kmeans(X, 5, init=init.copy())
    ref = KMeans(5, init=init, n_init=1, max_iter=300, tol=0.0, algorithm="lloyd").fit(X)
    assert ours.inertia == pytest.approx(ref.inertia_, rel=1e-9), (
        f"from the same initial centroids sklearn reaches inertia {ref.inertia_:.6f}, you "
        f"reached {ours.inertia:.6f}. Lloyd's algorithm is deterministic once seeded: do not "
        "re-seed or re-draw centroids during the iterations"
    )
    np.testing.assert_array_equal(np.asarray(ours.labels), ref.labels_, err_msg="labels")
    np.testing.assert_allclose(np.asarray(ours.centroids), ref.cluster_centers_, atol=1e-9)


@pytest.mark.clause("lloyd", "result")
def test_kmeans_recovers_well_separated_blobs(impl: ModuleType) -> None:
    X, y = _blobs(seed=3, centers=4, std=0.5)
    result = impl.kmeans(X, 4, seed=0)
    ari = adjusted_rand_score(y, np.asarray(result.labels))
    assert ari == 1.0, f"4 well-separated blobs should be recovered exactly, ARI = {ari:.3f}"
    labels = np.asarray(result.labels)
    assert labels.shape == (len(X),) and labels.dtype.kind == "i", (
        f"labels must be integers of shape ({len(X)},), got {labels.dtype} {labels.shape}"
    )


@pytest.mark.clause("init", "seed-once")
def test_kmeans_is_deterministic_under_a_seed(impl: ModuleType) -> None:
    X, _ = _blobs(seed=4, centers=6, std=3.0)
    a, b = impl.kmeans(X, 6, seed=11), impl.kmeans(X, 6, seed=11)
    np.testing.assert_array_equal(np.asarray(a.centroids), np.asarray(b.centroids))
    np.testing.assert_array_equal(np.asarray(a.labels), np.asarray(b.labels))
    assert a.inertia == b.inertia, "the same seed must give the same result"


@pytest.mark.clause("history", "inertia", "n-iter", "result")
@pytest.mark.parametrize("seed", [5, 6])
def test_inertia_never_increases_and_result_is_consistent(impl: ModuleType, seed: int) -> None:
    X, _ = _blobs(seed=seed, centers=8, std=4.0, n=300)
    result = impl.kmeans(X, 8, seed=seed)
    history = np.asarray(result.inertia_history, dtype=np.float64)
    assert len(history) == result.n_iter >= 1, (
        f"inertia_history must have one entry per update (n_iter = {result.n_iter}), "
        f"got {len(history)}"
    )
    rises = np.flatnonzero(np.diff(history) > 1e-9 * history[:-1])
    assert rises.size == 0, (
        f"inertia rose at iteration {rises[0] + 1}: {history[rises[0]]:.4f} -> "
        f"{history[rises[0] + 1]:.4f}. Lloyd's update and assignment steps never increase it"
    )
    C, labels = np.asarray(result.centroids), np.asarray(result.labels)
    want = _inertia(X, C, labels)
    assert result.inertia == pytest.approx(want, rel=1e-9), (
        f"inertia should be the sum of squared distances to the assigned centroids, {want:.4f}; "
        f"got {result.inertia}"
    )
    assert result.inertia == pytest.approx(history[-1], rel=1e-12), (
        f"inertia should be the last entry of inertia_history, {history[-1]:.6f}; "
        f"got {result.inertia}"
    )
    nearest = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(labels, nearest, err_msg="labels must be the nearest centroid")


@pytest.mark.clause("empty-cluster", "no-nan")
def test_empty_cluster_is_reseeded(impl: ModuleType) -> None:
    rng = np.random.default_rng(8)
    X = np.concatenate([rng.normal(0, 0.3, (20, 2)), rng.normal(5, 0.3, (20, 2))])
    X = np.concatenate([X, [[0.0, 9.0]]])  # an outlier: the farthest point from its centroid
    init = np.array([[0.0, 0.0], [5.0, 5.0], [100.0, 100.0]])  # the third gets no point
    result = impl.kmeans(X, 3, init=init)
    C, labels = np.asarray(result.centroids), np.asarray(result.labels)
    assert np.isfinite(C).all(), (
        f"a centroid became nan: the mean of an empty cluster. Re-seed empty clusters at the "
        f"point farthest from its centroid. Centroids:\n{C}"
    )
    sizes = np.bincount(labels, minlength=3)
    assert (sizes > 0).all(), f"every cluster should end non-empty, sizes {sizes.tolist()}"
    assert not np.allclose(C[2], [100.0, 100.0]), "the empty centroid was never moved"


@pytest.mark.clause("n-iter")
def test_n_iter_limits_the_updates(impl: ModuleType) -> None:
    X, _ = _blobs(seed=9, centers=5, std=3.0)
    init = X[:5].copy()
    one = impl.kmeans(X, 5, n_iter=1, init=init)
    ref = KMeans(5, init=init, n_init=1, max_iter=1, algorithm="lloyd").fit(X)
    assert one.n_iter == 1 and len(one.inertia_history) == 1, (
        f"n_iter=1 allows exactly one centroid update, got n_iter={one.n_iter}"
    )
    np.testing.assert_allclose(np.asarray(one.centroids), ref.cluster_centers_, atol=1e-9)


def _bad(k: int, kwargs: dict, problem: str, clause: str, X: Any = None) -> Any:
    return pytest.param(k, kwargs, problem, X, marks=pytest.mark.clause(clause), id=problem)


@pytest.mark.parametrize(
    ("k", "kwargs", "problem", "X"),
    [
        _bad(0, {}, "k=0", "k-range"),
        _bad(-1, {}, "k=-1", "k-range"),
        _bad(11, {}, "k larger than the 10 points", "k-range"),
        _bad(11, {"init": np.zeros((11, 2))}, "k=11 > n with an init", "k-range"),
        _bad(2, {"init": np.zeros((3, 2))}, "init with 3 rows for k=2", "init-shape"),
        _bad(2, {"init": np.zeros((2, 3))}, "init with 3 columns for d=2", "init-shape"),
        _bad(2, {"init": np.zeros(4)}, "flat init of 2 * 2 numbers", "init-shape"),
        _bad(2, {"n_iter": 0}, "n_iter=0", "n-iter-range"),
        _bad(2, {"n_iter": -3}, "n_iter=-3", "n-iter-range"),
        _bad(2, {}, "1-D X", "x-2d", np.arange(10.0)),
        _bad(2, {"init": np.zeros((2, 1))}, "1-D X with an init", "x-2d", np.arange(10.0)),
        _bad(2, {}, "3-D X", "x-2d", np.zeros((10, 2, 1))),
    ],
)
def test_bad_arguments_raise_value_error(
    impl: ModuleType, k: int, kwargs: dict, problem: str, X: Any
) -> None:
    if X is None:
        X = np.random.default_rng(10).normal(size=(10, 2))
    with pytest.raises(ValueError):
        impl.kmeans(X, k, **kwargs)
        pytest.fail(f"kmeans should raise ValueError for {problem}", pytrace=False)


@pytest.mark.clause("k-range")
@pytest.mark.parametrize("k", [0, -1, 7])
def test_plus_plus_rejects_k_out_of_range(impl: ModuleType, k: int) -> None:
    with pytest.raises(ValueError):
        impl.kmeans_plus_plus_init(LINE, k, np.random.default_rng(0))
        pytest.fail(f"kmeans_plus_plus_init(6 points, k={k}) should raise", pytrace=False)


# -- differential and bounds -------------------------------------------------------------------
@pytest.mark.clause("sqdist", "sqdist-clip")
@given(
    X=diff.float_arrays(min_dims=2, max_dims=2, magnitude=1e3),
    rows=st.integers(0, 5),
    shift=st.sampled_from([0.0, 1.0, 1e6]),
)
def test_squared_distances_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, X: np.ndarray, rows: int, shift: float
) -> None:
    X = X + shift
    C = np.concatenate([X[:rows], X[:rows][::-1] * 0.5])[:rows]  # duplicates and near points
    if C.shape[0] == 0:
        C = np.zeros((1, X.shape[1]))
    # |x|^2 - 2x.c + |c|^2 cancels: its rounding is a few ulps of the squared norms, whatever
    # correct formula (expansion or sum of squared differences) is used
    scale = (np.abs(X).max(initial=0.0) + np.abs(C).max(initial=0.0)) ** 2
    diff.assert_same(
        impl.squared_distances, reference.squared_distances, X, C,
        rtol=1e-9, atol=1e-14 * (1 + X.shape[1]) * scale,
        compare=lambda got, want: diff.same(
            got, want, rtol=1e-9, atol=1e-14 * (1 + X.shape[1]) * scale
        ) or (None if (np.asarray(got) >= 0).all() else "a squared distance is negative"),
    )  # fmt: skip


def _fields(module: ModuleType, X: np.ndarray, k: int, n_iter: int, init: np.ndarray) -> Any:
    before = init.copy()
    result = module.kmeans(X, k, n_iter=n_iter, init=init)
    np.testing.assert_array_equal(init, before, err_msg="kmeans modified the init it was given")
    out = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    labels = out["labels"]
    assert isinstance(labels, np.ndarray) and labels.dtype == np.int64, (
        f"labels must be an int64 array, got {diff.describe(labels)}"
    )
    out["inertia_history"] = np.asarray(out["inertia_history"], dtype=np.float64)
    out["inertia"] = float(out["inertia"])
    return out


@st.composite
def _clustering(draw: st.DrawFn) -> tuple[np.ndarray, int, np.ndarray]:
    n = draw(st.integers(1, 9))
    d = draw(st.integers(1, 3))
    X = draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-10, 10, width=32)))
    dup = draw(st.lists(st.integers(0, n - 1), max_size=3))  # duplicate points
    X = np.concatenate([X, X[dup]])
    k = draw(st.integers(1, len(X)))
    # initial centroids: rows of X (with repeats: exact ties, empty clusters) or far points
    picks = draw(st.lists(st.integers(-1, len(X) - 1), min_size=k, max_size=k))
    init = np.array([X[i] if i >= 0 else np.full(d, 100.0) for i in picks])
    return X, k, init


@pytest.mark.clause(
    "init", "init-copy", "ties", "lloyd", "empty-cluster", "empty-distinct", "no-nan",
    "inertia", "result", "n-iter", "history",
)  # fmt: skip
@given(case=_clustering(), n_iter=st.sampled_from([1, 2, 300]))
@example(
    case=(np.array([[0.0], [1.0], [2.0], [9.0]]), 3, np.array([[0.0], [0.0], [0.0]])), n_iter=5
)
@example(
    case=(np.array([[0.0], [0.0], [4.0], [4.0]]), 3, np.array([[1.0], [1.0], [100.0]])), n_iter=1
)
@example(case=(np.array([[-1.0], [1.0], [5.0]]), 2, np.array([[0.0], [0.0]])), n_iter=300)
def test_kmeans_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    case: tuple[np.ndarray, int, np.ndarray],
    n_iter: int,
) -> None:
    X, k, init = case
    # |X| <= 100: centroids are means (a few ulps); inertias are sums of squares (scale 1e4)
    diff.assert_same(
        functools.partial(_fields, impl), functools.partial(_fields, reference),
        X, k, n_iter, init, rtol=1e-9, atol=1e-9,
    )  # fmt: skip


@pytest.mark.clause("all-duplicates")
def test_plus_plus_draws_uniformly_when_every_distance_is_zero(impl: ModuleType) -> None:
    # X = 0, 0, 0, 5 and k = 3: after two picks every D^2 is 0 and the third pick is uniform
    # over the 4 rows, whatever came first: P(third = 5) = 1/4
    X = np.array([[0.0], [0.0], [0.0], [5.0]])
    rng = np.random.default_rng(21)
    runs = 2000
    thirds = [float(np.asarray(impl.kmeans_plus_plus_init(X, 3, rng))[2, 0]) for _ in range(runs)]
    fives = sum(t == 5.0 for t in thirds)
    p_value = binomtest(fives, runs, 0.25).pvalue
    assert p_value > 1e-4, (
        f"with X = [0, 0, 0, 5] and k = 3 every D^2 is 0 before the third pick, which must then "
        f"be uniform over the rows (5 about 1/4 of the time); you picked 5 in {fives} of {runs} "
        "seedings"
    )


@pytest.mark.clause("kpp-copy")
@pytest.mark.parametrize("k", [1, 3, 6])
def test_plus_plus_returns_a_copy(impl: ModuleType, k: int) -> None:
    X = LINE.copy()
    centres = impl.kmeans_plus_plus_init(X, k, np.random.default_rng(3))
    assert isinstance(centres, np.ndarray) and centres.shape == (k, 1), (
        f"kmeans_plus_plus_init(6 points of dimension 1, k={k}) must return a ({k}, 1) array, "
        f"got {diff.describe(centres)}"
    )
    centres[...] = -1.0
    np.testing.assert_array_equal(
        X, LINE, err_msg="writing into the returned centres changed X: return a copy"
    )


@pytest.mark.clause("sqdist-vectorised")
def test_squared_distances_has_no_python_loop(impl: ModuleType) -> None:
    rng = np.random.default_rng(12)
    lines = {}
    for n, k in ((4, 2), (400, 60)):
        X, C = rng.normal(size=(n, 3)), rng.normal(size=(k, 3))
        impl.squared_distances(X, C)
        lines[n] = diff.python_lines(lambda X=X, C=C: impl.squared_distances(X, C))
    assert lines[400] <= lines[4] + 20, (
        f"squared_distances ran {lines[4]} Python lines for (4, 2) points and {lines[400]} for "
        "(400, 60): a Python loop over points or centroids. Use one matrix product"
    )


@pytest.mark.clause("complexity")
def test_memory_is_the_distance_matrix_not_n_k_d(impl: ModuleType) -> None:
    rng = np.random.default_rng(13)
    n, k, d = 1000, 20, 40
    X = rng.normal(size=(n, d))
    init = X[:k].copy()
    impl.kmeans(X, k, n_iter=2, init=init)  # warm up
    tracemalloc.start()
    try:
        impl.kmeans(X, k, n_iter=2, init=init)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 6 * X.nbytes, (
        f"kmeans on X of shape ({n}, {d}) ({X.nbytes // 1024} KiB) with k = {k} peaked at "
        f"{peak // 1024} KiB: an (n, k, d) difference array is {n * k * d * 8 // 1024} KiB. "
        "Compute the (n, k) distance matrix with the |x|^2 - 2 x.c + |c|^2 expansion"
    )
