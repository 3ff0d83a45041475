"""Tests of week6.pairwise_distances: distances vs loops and scipy, clipping, zero norms, top-k.

Run: ``pytest weeks/week6/tests/test_pairwise_distances.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from scipy.spatial.distance import cdist


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


def test_sq_euclidean_matches_the_loop(impl: ModuleType) -> None:
    A, B = _embeddings(0, 9), _embeddings(1, 13)
    got = np.asarray(impl.pairwise_sq_euclidean(A, B))
    want = np.array([[((a - b) ** 2).sum() for b in B] for a in A])
    assert got.shape == (9, 13), f"(9, 8) vs (13, 8) gives a (9, 13) matrix, got {got.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10, err_msg="squared distances")
    np.testing.assert_allclose(
        np.asarray(impl.pairwise_euclidean(A, B)), cdist(A, B), rtol=1e-10, err_msg="distances"
    )


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


@pytest.mark.parametrize("k", [1, 5, 40])
def test_top_k_neighbours_are_the_most_similar_sorted(impl: ModuleType, k: int) -> None:
    queries, index = _embeddings(5, 11), _embeddings(6, 40)
    scores, indices = impl.top_k_neighbours(queries, index, k)
    _check_top_k(scores, indices, queries, index, k, f"top_k_neighbours(k={k})")


@pytest.mark.parametrize("chunk", [1, 3, 10, 11, 1000])
def test_top_k_does_not_depend_on_the_chunk_size(impl: ModuleType, chunk: int) -> None:
    queries, index = _embeddings(7, 11), _embeddings(8, 30)
    index[4] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        scores, indices = impl.top_k_neighbours(queries, index, 4, chunk=chunk)
    _check_top_k(scores, indices, queries, index, 4, f"chunk={chunk} with 11 queries")


@pytest.mark.parametrize(
    ("k", "problem"), [(0, "k=0"), (21, "k=21 > 20 index rows")], ids=["k=0", "k>n"]
)
def test_top_k_rejects_bad_k(impl: ModuleType, k: int, problem: str) -> None:
    with pytest.raises(ValueError):
        impl.top_k_neighbours(_embeddings(9, 3), _embeddings(10, 20), k)
        pytest.fail(f"top_k_neighbours should raise ValueError for {problem}", pytrace=False)


def test_mismatched_dimensions_raise_value_error(impl: ModuleType) -> None:
    for fn in (impl.pairwise_sq_euclidean, impl.cosine_similarity):
        with pytest.raises(ValueError):
            fn(np.zeros((3, 4)), np.zeros((2, 5)))
            pytest.fail(f"{fn.__name__} of (3, 4) and (2, 5) should raise", pytrace=False)
