"""Tests of week6.pairwise_distances: distances vs loops and scipy, clipping, zero norms, top-k.

Run: ``pytest weeks/week6/tests/test_pairwise_distances.py``.
"""

from __future__ import annotations

import tracemalloc
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from grader import differential as diff


def _strict(fn, *args, what: str):
    try:
        with np.errstate(divide="raise", invalid="raise"):
            return np.asarray(fn(*args))
    except FloatingPointError as exc:
        pytest.fail(
            f"{what} raised a floating-point error ({exc}): a 0/0 from a zero-norm row or the "
            "square root of a negative number. Guard the division and clip at 0",
            pytrace=False,
        )


def _loop_cosine(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    out = np.zeros((len(A), len(B)))
    for i, a in enumerate(A):
        for j, b in enumerate(B):
            na, nb = np.linalg.norm(a), np.linalg.norm(b)
            out[i, j] = a @ b / (na * nb) if na > 0 and nb > 0 else 0.0
    return out


def _embeddings(seed: int, n: int, d: int = 8) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d))


@pytest.mark.clause("sq-euclidean", "euclidean")
def test_sq_euclidean_matches_the_loop(impl: ModuleType) -> None:
    A, B = _embeddings(0, 9), _embeddings(1, 13)
    got = np.asarray(impl.pairwise_sq_euclidean(A, B))
    want = np.array([[((a - b) ** 2).sum() for b in B] for a in A])
    assert got.shape == (9, 13), f"(9, 8) vs (13, 8) gives a (9, 13) matrix, got {got.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10, err_msg="squared distances")
    np.testing.assert_allclose(
        np.asarray(impl.pairwise_euclidean(A, B)), cdist(A, B), rtol=1e-10, err_msg="distances"
    )


@pytest.mark.clause("non-negative", "euclidean")
def test_distances_are_never_negative_despite_rounding(impl: ModuleType) -> None:
    rng = np.random.default_rng(2)
    A = 1e4 + rng.normal(size=(50, 3)) * 1e-3  # near-duplicates far from the origin
    d2 = _strict(impl.pairwise_sq_euclidean, A, A, what="pairwise_sq_euclidean")
    assert d2.min() >= 0, (
        f"||a||^2 + ||b||^2 - 2 a.b cancels to {d2.min():.3e} < 0 for nearly equal rows near "
        "1e4; clip with np.maximum(d2, 0)"
    )
    d = _strict(impl.pairwise_euclidean, A, A, what="pairwise_euclidean")
    assert not np.isnan(d).any(), "pairwise_euclidean produced nan (sqrt of a negative)"
    np.testing.assert_allclose(d, cdist(A, A), atol=1e-3, err_msg="distances of near-duplicates")


@pytest.mark.clause("cosine", "zero-norm")
def test_cosine_similarity_matches_the_loop_and_handles_zero_rows(impl: ModuleType) -> None:
    A, B = _embeddings(3, 7), _embeddings(4, 5)
    A[2] = 0.0
    B[4] = 0.0
    got = _strict(impl.cosine_similarity, A, B, what="cosine_similarity with zero rows")
    np.testing.assert_allclose(
        got,
        _loop_cosine(A, B),
        atol=1e-12,
        err_msg="cosine similarity (a zero row has similarity 0 with everything)",
    )


def _check_top_k(scores, indices, queries, index, k: int, what: str) -> None:
    scores, indices = np.asarray(scores), np.asarray(indices)
    m = len(queries)
    assert scores.shape == indices.shape == (m, k), (
        f"{what}: expected two ({m}, {k}) arrays, got {scores.shape} and {indices.shape}"
    )
    sim = _loop_cosine(queries, index)
    assert (np.diff(scores, axis=1) <= 1e-12).all(), f"{what}: scores must decrease along each row"
    np.testing.assert_allclose(
        np.take_along_axis(sim, indices, axis=1),
        scores,
        atol=1e-12,
        err_msg=f"{what}: scores[i, j] must be the similarity of query i and index row "
        "indices[i, j]",
    )
    best = -np.sort(-sim, axis=1)[:, :k]
    np.testing.assert_allclose(
        scores, best, atol=1e-12, err_msg=f"{what}: these are not the k most similar rows"
    )


@pytest.mark.clause("top-k", "top-k-order")
@pytest.mark.parametrize("k", [1, 5, 40])
def test_top_k_neighbours_are_the_most_similar_sorted(impl: ModuleType, k: int) -> None:
    queries, index = _embeddings(5, 11), _embeddings(6, 40)
    scores, indices = impl.top_k_neighbours(queries, index, k)
    _check_top_k(scores, indices, queries, index, k, f"top_k_neighbours(k={k})")


@pytest.mark.clause("top-k", "top-k-order")
@pytest.mark.parametrize("chunk", [1, 3, 10, 11, 1000])
def test_top_k_does_not_depend_on_the_chunk_size(impl: ModuleType, chunk: int) -> None:
    queries, index = _embeddings(7, 11), _embeddings(8, 30)
    index[4] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        scores, indices = impl.top_k_neighbours(queries, index, 4, chunk=chunk)
    _check_top_k(scores, indices, queries, index, 4, f"chunk={chunk} with 11 queries")


@pytest.mark.clause("k-range")
@pytest.mark.parametrize(
    ("k", "problem"), [(0, "k=0"), (21, "k=21 > 20 index rows")], ids=["k=0", "k>n"]
)
def test_top_k_rejects_bad_k(impl: ModuleType, k: int, problem: str) -> None:
    with pytest.raises(ValueError):
        impl.top_k_neighbours(_embeddings(9, 3), _embeddings(10, 20), k)
        pytest.fail(f"top_k_neighbours should raise ValueError for {problem}", pytrace=False)


@pytest.mark.clause("shapes")
def test_mismatched_dimensions_raise_value_error(impl: ModuleType) -> None:
    for fn in (impl.pairwise_sq_euclidean, impl.cosine_similarity):
        with pytest.raises(ValueError):
            fn(np.zeros((3, 4)), np.zeros((2, 5)))
            pytest.fail(f"{fn.__name__} of (3, 4) and (2, 5) should raise", pytrace=False)


# -- judged against the reference --------------------------------------------------------------
# Tolerances: the expansion ||a||^2 + ||b||^2 - 2 a.b loses up to ~d * eps * (||a||^2 + ||b||^2)
# to cancellation, so a direct sum of squared differences may differ by that much (and its
# square root by the square root of it); cosines are within 1e-12 of each other (d <= 6).
def _no_tiny(x: np.ndarray) -> np.ndarray:
    """Entries below 1e-3 in size become exact zeros: a row of subnormals has a norm that one
    correct formula (np.linalg.norm) keeps and another (sqrt of the sum of squares) loses."""
    x = x.copy()
    x[np.abs(x) < 1e-3] = 0.0
    return x


def _matrices(min_dims: int = 2, max_dims: int = 2):
    return diff.float_arrays(min_dims=min_dims, max_dims=max_dims).map(_no_tiny)


@st.composite
def _two(draw, mismatch: bool = True):
    A = draw(_matrices())
    d = A.shape[1]
    if mismatch and draw(st.integers(0, 9)) == 0:
        return A, draw(diff.float_arrays(min_dims=1, max_dims=3))
    B = draw(_matrices())
    B = np.resize(B, (B.shape[0], d)) if B.size else np.zeros((B.shape[0], d))
    if draw(st.booleans()) and len(A):  # near-duplicate rows far from the origin
        B = np.concatenate([B, A[:2] + 1e-3])
    if draw(st.integers(0, 4)) == 0:
        A, B = A.round().astype(np.int64), B.round().astype(np.int64)
    return A, B


def _sq_atol(A, B) -> float:
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    big = (A**2).sum(axis=1).max(initial=0.0) + (B**2).sum(axis=1).max(initial=0.0)
    return 8 * (A.shape[1] + 1) * np.finfo(float).eps * big


def _started(impl: ModuleType) -> None:
    """A valid call first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.pairwise_sq_euclidean(np.zeros((1, 1)), np.zeros((1, 1)))
    impl.cosine_similarity(np.zeros((1, 1)), np.zeros((1, 1)))
    impl.top_k_neighbours(np.ones((1, 1)), np.ones((1, 1)), 1)


def _float64(got, want, *, atol: float) -> str | None:
    if isinstance(got, np.ndarray) and got.dtype != np.float64:
        return f"expected a float64 array, got {got.dtype}"
    return diff.same(got, want, rtol=1e-9, atol=atol)


@pytest.mark.clause(
    "sq-euclidean", "non-negative", "euclidean", "cosine", "zero-norm", "dtypes", "shapes"
)
@given(pair=_two())
@example(pair=(np.array([[1e4, 1e4 + 1e-3]]), np.array([[1e4, 1e4 + 1e-3], [0.0, 0.0]])))
@example(pair=(np.zeros((3, 0)), np.zeros((2, 0))))
@example(pair=(np.array([[1, 2], [0, 0]]), np.array([[3, 4]])))
@example(pair=(np.ones((2, 2)), np.ones(2)))
@example(pair=(np.ones((2, 2, 2)), np.ones((2, 2, 2))))
def test_distances_agree_with_the_reference(impl, reference, pair) -> None:
    _started(impl)
    A, B = pair
    ok = A.ndim == 2 and B.ndim == 2 and A.shape[1] == B.shape[1]
    sq = _sq_atol(A, B) if ok else 0.0
    with np.errstate(all="raise"):
        diff.assert_same(
            impl.pairwise_sq_euclidean, reference.pairwise_sq_euclidean, A, B,
            compare=lambda g, w: _float64(g, w, atol=sq) or (
                "squared distances must never be negative" if (np.asarray(g) < 0).any() else None
            ),
        )  # fmt: skip
        diff.assert_same(
            impl.pairwise_euclidean,
            reference.pairwise_euclidean,
            A,
            B,
            compare=lambda g, w: _float64(g, w, atol=float(np.sqrt(sq))),
        )
        diff.assert_same(
            impl.cosine_similarity,
            reference.cosine_similarity,
            A,
            B,
            compare=lambda g, w: _float64(g, w, atol=1e-12),
        )


def _top_k_invariants(queries, index, k):
    def compare(got, want) -> str | None:
        if not (isinstance(got, tuple) and len(got) == 2):
            return f"expected (scores, indices), got {diff.describe(got)}"
        scores, indices = got
        problem = _float64(scores, want[0], atol=1e-12)
        if problem:
            return f"scores: {problem} (the k largest similarities of each query, best first)"
        if not isinstance(indices, np.ndarray) or indices.dtype != np.int64:
            return f"indices must be an int64 array, got {diff.describe(indices)}"
        if indices.shape != want[1].shape:
            return f"indices: expected shape {want[1].shape}, got {indices.shape}"
        if ((indices < 0) | (indices >= len(index))).any():
            return f"indices out of range [0, {len(index)}): {indices}"
        if any(len(set(row)) < k for row in indices.tolist()):
            return f"each query's k indices must be distinct rows of index, got {indices}"
        sim = np.asarray(reference_cosine(queries, index))
        picked = np.take_along_axis(sim, indices, axis=1)
        if not np.allclose(picked, want[0], rtol=0, atol=1e-12):
            return (
                "indices do not point at rows with those scores: scores[i, j] must be the "
                "similarity of query i and index row indices[i, j]"
            )
        return None

    return compare


def reference_cosine(A, B) -> np.ndarray:
    return _loop_cosine(np.asarray(A, dtype=float), np.asarray(B, dtype=float))


@pytest.mark.clause("top-k", "top-k-order", "dtypes", "k-range", "chunk-range", "shapes")
@given(
    pair=_two(mismatch=False),
    k=st.integers(-1, 8),
    chunk=st.sampled_from([1, 2, 3, 1024, 0, -1]),
)
@example(pair=(np.ones((3, 2)), np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0], [-1.0, 0.0]])),
         k=4, chunk=2)  # fmt: skip
@example(pair=(np.ones((3, 2)), np.ones((2, 2))), k=3, chunk=1)
@example(pair=(np.ones((3, 2)), np.ones((2, 2))), k=1, chunk=-1)
def test_top_k_agrees_with_the_reference(impl, reference, pair, k, chunk) -> None:
    _started(impl)
    queries, index = pair
    with np.errstate(all="raise"):
        diff.assert_same(
            impl.top_k_neighbours, reference.top_k_neighbours, queries, index, k, chunk=chunk,
            compare=_top_k_invariants(queries, index, k),
        )  # fmt: skip


@pytest.mark.clause("chunk-memory")
def test_memory_follows_the_chunk(impl: ModuleType) -> None:
    queries, index = _embeddings(11, 2000, d=4), _embeddings(12, 300, d=4)
    impl.top_k_neighbours(queries[:2], index, 3, chunk=1)  # warm up (imports, caches)
    tracemalloc.start()
    try:
        impl.top_k_neighbours(queries, index, 3, chunk=8)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    full = 8 * len(queries) * len(index)
    assert peak < full / 4, (
        f"with chunk=8 your top_k_neighbours peaked at {peak / 2**20:.2f} MiB; the full "
        f"(2000, 300) similarity matrix is {full / 2**20:.2f} MiB. Compute the similarities of "
        "`chunk` queries at a time: memory O(chunk * n_index)"
    )
