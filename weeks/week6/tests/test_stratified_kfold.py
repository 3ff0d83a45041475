"""Tests of week6.stratified_kfold: disjoint covering folds, class balance, seeding and groups.

The invariants of ``sklearn.model_selection.StratifiedKFold`` are the oracle: folds partition
the data and each class's per-fold counts are exactly sklearn's (they differ by at most one).
Run: ``pytest weeks/week6/tests/test_stratified_kfold.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sklearn.model_selection import StratifiedKFold

from grader import differential as diff

CONFIGS = [(3, False), (5, False), (3, True), (4, True)]


def _labels(seed: int, n: int = 103) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(np.array([3, 8, 9, 12]), size=n, p=[0.55, 0.25, 0.12, 0.08])


def _splits(impl: ModuleType, y, k: int, **kwargs) -> list[tuple[np.ndarray, np.ndarray]]:
    out = [(np.asarray(tr), np.asarray(te)) for tr, te in impl.stratified_kfold(y, k, **kwargs)]
    assert len(out) == k, (
        f"stratified_kfold(y, {k}) must yield {k} (train, test) pairs, got {len(out)}"
    )
    return out


def _check_partition(splits: list, n: int, what: str) -> None:
    seen = np.zeros(n, dtype=int)
    for i, (train, test) in enumerate(splits):
        assert test.dtype.kind in "iu" and train.dtype.kind in "iu", (
            f"{what}: fold {i} must hold integer indices, got {train.dtype} / {test.dtype}"
        )
        assert (np.diff(test) > 0).all() and (np.diff(train) > 0).all(), (
            f"{what}: fold {i}: indices must be sorted and unique"
        )
        np.testing.assert_array_equal(
            np.sort(np.concatenate([train, test])),
            np.arange(n),
            err_msg=f"{what}: fold {i}: train and test must be complementary (disjoint, "
            "covering every index)",
        )
        seen[test] += 1
    twice, never = np.flatnonzero(seen > 1), np.flatnonzero(seen == 0)
    assert twice.size == 0, f"{what}: indices {twice[:8].tolist()} are in more than one test fold"
    assert never.size == 0, f"{what}: indices {never[:8].tolist()} are in no test fold"


def _class_counts(y: np.ndarray, splits: list) -> dict:
    return {c: sorted(int((y[te] == c).sum()) for _, te in splits) for c in np.unique(y)}


@pytest.mark.clause("partition", "k-pairs", "sorted-int64")
@pytest.mark.parametrize(("k", "shuffle"), CONFIGS, ids=lambda v: str(v))
def test_folds_partition_the_data(impl: ModuleType, k: int, shuffle: bool) -> None:
    y = _labels(0)
    _check_partition(_splits(impl, y, k, shuffle=shuffle, seed=1), len(y), f"k={k}")


@pytest.mark.clause("class-balance")
@pytest.mark.parametrize(("k", "shuffle"), CONFIGS, ids=lambda v: str(v))
def test_class_counts_match_sklearn(impl: ModuleType, k: int, shuffle: bool) -> None:
    for seed in range(3):
        y = _labels(seed)
        ours = _class_counts(y, _splits(impl, y, k, shuffle=shuffle, seed=seed))
        ref = StratifiedKFold(k, shuffle=shuffle, random_state=seed if shuffle else None)
        want = _class_counts(y, list(ref.split(np.zeros(len(y)), y)))
        for c in want:
            assert ours[c] == want[c], (
                f"k={k}: class {c} has {int((y == c).sum())} members; its per-fold test counts "
                f"should be {want[c]} (differing by at most one, like StratifiedKFold), got "
                f"{ours[c]}. Split each class separately into k nearly equal parts"
            )


@pytest.mark.clause("class-balance")
def test_string_labels_and_fold_proportions(impl: ModuleType) -> None:
    y = np.array(["aspirin"] * 12 + ["ibuprofen"] * 6 + ["zolpidem"] * 3)
    for _, test in _splits(impl, y, 3):
        counts = {c: int((y[test] == c).sum()) for c in ("aspirin", "ibuprofen", "zolpidem")}
        assert counts == {"aspirin": 4, "ibuprofen": 2, "zolpidem": 1}, (
            f"12/6/3 members over 3 folds must give 4/2/1 per test fold, got {counts}"
        )


@pytest.mark.clause("seeded", "no-shuffle")
def test_shuffle_is_seeded_and_optional(impl: ModuleType) -> None:
    y = _labels(4)
    a = _splits(impl, y, 4, shuffle=True, seed=7)
    np.random.seed(123)  # a learner using the global RNG instead of default_rng(seed) is caught
    b = _splits(impl, y, 4, shuffle=True, seed=7)
    c = _splits(impl, y, 4, shuffle=True, seed=8)
    for (_, ta), (_, tb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(ta, tb, err_msg="the same seed must give the same folds")
    assert any(not np.array_equal(ta, tc) for (_, ta), (_, tc) in zip(a, c, strict=True)), (
        "seeds 7 and 8 gave identical folds: shuffle=True must shuffle with default_rng(seed)"
    )
    d = _splits(impl, y, 4, shuffle=False, seed=1)
    e = _splits(impl, y, 4, shuffle=False, seed=2)
    for (_, td), (_, te) in zip(d, e, strict=True):
        np.testing.assert_array_equal(td, te, err_msg="shuffle=False must ignore the seed")


@pytest.mark.clause("small-class", "k-range", "y-shape")
@pytest.mark.parametrize(
    ("y", "k", "problem"),
    [
        ([0, 0, 0, 1, 1], 3, "class 1 has 2 members < k=3"),
        ([0, 1, 0, 1], 1, "k=1"),
        ([], 2, "an empty y"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_inputs_raise_value_error(impl: ModuleType, y: list, k: int, problem: str) -> None:
    with pytest.raises(ValueError):
        list(impl.stratified_kfold(np.asarray(y, dtype=int), k))
        pytest.fail(f"stratified_kfold should raise ValueError for {problem}", pytrace=False)


# -- groups ------------------------------------------------------------------------------------
def _grouped(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, size=30)
    group_label = np.array([0] * 15 + [1] * 10 + [2] * 5)
    groups = np.repeat(np.arange(30) * 7 + 100, sizes)  # arbitrary group ids
    y = np.repeat(group_label, sizes)
    order = rng.permutation(len(y))
    return y[order], groups[order]


@pytest.mark.clause("groups-whole", "groups-balance")
@pytest.mark.parametrize("shuffle", [False, True])
def test_groups_stay_whole_and_classes_stay_balanced(impl: ModuleType, shuffle: bool) -> None:
    for seed in range(3):
        y, groups = _grouped(seed)
        splits = _splits(impl, y, 5, shuffle=shuffle, seed=seed, groups=groups)
        _check_partition(splits, len(y), "with groups")
        for i, (train, test) in enumerate(splits):
            leaked = np.intersect1d(groups[train], groups[test])
            assert leaked.size == 0, (
                f"fold {i}: groups {leaked[:5].tolist()} have samples in both train and test; "
                "assign whole groups to folds"
            )
        for c in np.unique(y):
            per_fold = np.array([(y[te] == c).sum() for _, te in splits])
            biggest = np.bincount(np.unique(groups[y == c], return_inverse=True)[1]).max()
            assert (per_fold > 0).all(), f"class {c}: a fold has none of it ({per_fold.tolist()})"
            assert per_fold.max() - per_fold.min() <= biggest, (
                f"class {c}: per-fold counts {per_fold.tolist()} differ by more than its largest "
                f"group ({biggest}); put each group (largest first) into the fold with the "
                "fewest samples of that class"
            )


@pytest.mark.clause("groups-shape", "small-class", "group-labels")
def test_group_errors(impl: ModuleType) -> None:
    y = np.array([0, 0, 1, 1, 0, 1])
    with pytest.raises(ValueError):
        list(impl.stratified_kfold(y, 2, groups=np.array([1, 1, 2, 3, 4])))
        pytest.fail("groups has 5 entries for 6 labels: raise ValueError", pytrace=False)
    with pytest.raises(ValueError):
        list(impl.stratified_kfold(y, 3, groups=np.array([1, 1, 2, 2, 3, 4])))
        pytest.fail("class 0 has only 2 groups for k=3: raise ValueError", pytrace=False)
    with pytest.raises(ValueError):
        list(impl.stratified_kfold(y, 2, groups=np.array([1, 2, 1, 2, 3, 4])))
        pytest.fail("group 1 holds labels 0 and 1: raise ValueError", pytrace=False)


# -- judged against the reference --------------------------------------------------------------
# Many splits are right, so the learner's folds are checked for the invariants the spec promises
# and compared with the reference on what the spec fixes: which calls raise ValueError (at call
# time, not when iterated) and each class's sorted per-fold counts.
def _started(impl: ModuleType) -> None:
    """A valid call first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.stratified_kfold(np.array([0, 1, 0, 1]), 2)


def _pairs(value, where: str) -> tuple[list | None, str | None]:
    try:
        pairs = list(value)
    except TypeError:
        return None, f"{where}: expected an iterator of (train_idx, test_idx) pairs"
    return pairs, None


def _invariants(y, k, groups=None):
    y = np.asarray(y)

    def compare(got, want):
        pairs, problem = _pairs(got, "result")
        if problem:
            return problem
        want = list(want)
        if len(pairs) != k:
            return f"expected {k} (train, test) pairs, got {len(pairs)}"
        seen = np.zeros(len(y), dtype=int)
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple) or len(pair) != 2:
                return (
                    f"item {i} should be a (train_idx, test_idx) tuple, got {diff.describe(pair)}"
                )
            train, test = pair
            for name, arr in (("train_idx", train), ("test_idx", test)):
                if not isinstance(arr, np.ndarray) or arr.dtype != np.int64 or arr.ndim != 1:
                    return f"fold {i}: {name} should be a 1-D int64 array, got {diff.describe(arr)}"
                if (np.diff(arr) <= 0).any():
                    return f"fold {i}: {name} should be sorted without duplicates, got {arr}"
            if not np.array_equal(np.sort(np.concatenate([train, test])), np.arange(len(y))):
                return f"fold {i}: train_idx must be exactly the complement of test_idx"
            seen[test] += 1
        if (seen != 1).any():
            return (
                f"indices {np.flatnonzero(seen != 1)[:8].tolist()} are not in exactly one test fold"
            )
        for c in np.unique(y):
            ours = sorted(int((y[te] == c).sum()) for _, te in pairs)
            if groups is None:
                ref = sorted(int((y[te] == c).sum()) for _, te in want)
                if ours != ref:
                    return (
                        f"class {c!r}: per-fold test counts {ours}; they must differ by at most "
                        f"one, i.e. {ref}"
                    )
            else:
                g = np.asarray(groups)
                biggest = int(np.unique(g[y == c], return_counts=True)[1].max())
                if min(ours) == 0 or max(ours) - min(ours) > biggest:
                    return (
                        f"class {c!r}: per-fold test counts {ours}; every fold needs one of its "
                        f"groups and the counts may differ by at most its largest group ({biggest})"
                    )
        if groups is not None:
            g = np.asarray(groups)
            for i, (train, test) in enumerate(pairs):
                leaked = np.intersect1d(g[train], g[test])
                if leaked.size:
                    return f"fold {i}: groups {leaked[:5].tolist()} are in both train and test"
        return None

    return compare


_LABELS = st.lists(st.sampled_from([0, 1, 2, 5]), min_size=0, max_size=25)
_K = st.one_of(st.integers(0, 5), st.sampled_from([2.0, np.int64(3), -2]))


@pytest.mark.clause(
    "k-pairs", "partition", "sorted-int64", "class-balance", "eager-errors", "k-range",
    "small-class", "seeded", "no-shuffle",
)  # fmt: skip
@given(y=_LABELS, k=_K, shuffle=st.booleans(), seed=st.integers(0, 1000))
@example(y=[0, 0, 1, 1, 1], k=2, shuffle=False, seed=0)
@example(y=[7] * 5, k=5, shuffle=True, seed=1)
@example(y=[0, 0, 0, 1], k=2, shuffle=False, seed=0)
@example(y=[0, 1, 0, 1], k=2.0, shuffle=False, seed=0)
@example(y=[], k=2, shuffle=False, seed=0)
def test_splits_agree_with_the_reference(impl, reference, y, k, shuffle, seed) -> None:
    _started(impl)
    y = np.asarray(y, dtype=np.int64)
    diff.assert_same(
        lambda: impl.stratified_kfold(y, k, shuffle=shuffle, seed=seed),
        lambda: reference.stratified_kfold(y, k, shuffle=shuffle, seed=seed),
        compare=_invariants(y, k),
    )


@pytest.mark.clause("y-shape", "eager-errors")
@pytest.mark.parametrize(
    "y",
    [np.zeros((4, 2), dtype=int), np.array(3), np.zeros((0,), dtype=int), np.zeros((2, 0))],
    ids=["2-D", "0-D", "empty", "empty 2-D"],
)
def test_y_must_be_a_non_empty_vector(impl: ModuleType, reference: ModuleType, y) -> None:
    _started(impl)
    diff.assert_same(
        lambda: impl.stratified_kfold(y, 2),
        lambda: reference.stratified_kfold(y, 2),
    )


@st.composite
def _grouped_data(draw):
    """Whole groups of one label each, with arbitrary ids, shuffled; sometimes a bad groups."""
    n_classes = draw(st.integers(1, 3))
    sizes, labels = [], []
    for c in range(n_classes):
        g_sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=6))
        sizes += g_sizes
        labels += [c * 10] * len(g_sizes)
    ids = draw(st.permutations(range(100, 100 + 3 * len(sizes))))[: len(sizes)]
    y = np.repeat(np.array(labels), sizes)
    groups = np.repeat(np.array(ids), sizes)
    order = draw(st.permutations(range(len(y))))
    y, groups = y[list(order)], groups[list(order)]
    flaw = draw(st.sampled_from(["none", "none", "none", "mixed", "short", "column"]))
    if flaw == "mixed" and len(y) > 1:
        groups = groups.copy()
        groups[np.flatnonzero(y != y[0])[:1]] = groups[0]
    elif flaw == "short":
        groups = groups[:-1]
    elif flaw == "column":
        groups = groups[:, None]
    return y, groups


@pytest.mark.clause(
    "groups-whole", "groups-balance", "small-class", "groups-shape", "group-labels",
    "eager-errors", "partition",
)  # fmt: skip
@given(data=_grouped_data(), k=st.integers(2, 4), shuffle=st.booleans(), seed=st.integers(0, 99))
@example(data=(np.array([0, 0, 1, 1]), np.array([1, 2, 3, 4])), k=2, shuffle=False, seed=0)
@example(data=(np.array([0, 0, 1, 1]), np.array([1, 1, 2, 2])), k=2, shuffle=False, seed=0)
@example(data=(np.array([0, 0, 1, 1]), np.array([[1], [2], [3], [4]])), k=2, shuffle=False, seed=0)
@example(data=(np.array([0, 1, 0, 1]), np.array([1, 1, 2, 2])), k=2, shuffle=True, seed=0)
@example(  # group 5 holds both labels; each class still has two other groups
    data=(np.array([0, 0, 1, 1, 0, 1]), np.array([1, 2, 3, 4, 5, 5])), k=2, shuffle=False, seed=0
)
@example(  # class 1's groups must go one per fold even though fold 0 is the large one overall
    data=(np.array([0] * 12 + [1] * 2), np.array([1] * 10 + [2, 3, 4, 5])),
    k=2, shuffle=False, seed=0,
)  # fmt: skip
def test_group_splits_agree_with_the_reference(impl, reference, data, k, shuffle, seed) -> None:
    _started(impl)
    y, groups = data
    diff.assert_same(
        lambda: impl.stratified_kfold(y, k, shuffle=shuffle, seed=seed, groups=groups),
        lambda: reference.stratified_kfold(y, k, shuffle=shuffle, seed=seed, groups=groups),
        compare=_invariants(y, k, groups),
    )


def _exactly(got, want) -> str | None:
    pairs, problem = _pairs(got, "result")
    if problem:
        return problem
    for i, ((tr, te), (wtr, wte)) in enumerate(zip(pairs, want, strict=False)):
        if not (np.array_equal(te, wte) and np.array_equal(tr, wtr)):
            return (
                f"fold {i}: test_idx {np.asarray(te).tolist()}, expected {wte.tolist()} (groups "
                "by decreasing size, each into the fold with the fewest samples of its class, "
                "ties to the fewer samples overall, then the lowest fold number)"
            )
    return None if len(pairs) == len(want) else f"expected {len(want)} folds, got {len(pairs)}"


@pytest.mark.clause("groups-greedy")
@given(
    sizes=st.lists(st.integers(1, 30), min_size=4, max_size=9, unique=True),
    k=st.integers(2, 4),
    shuffle=st.booleans(),
)
@example(sizes=[5, 4, 3, 2], k=2, shuffle=False)
@example(sizes=[1, 2, 3, 4, 10], k=3, shuffle=False)
def test_greedy_group_assignment_of_one_class(impl, reference, sizes, k, shuffle) -> None:
    # One class and groups of distinct sizes: the greedy rule of the spec fixes every fold.
    _started(impl)
    groups = np.repeat(np.arange(len(sizes))[::-1] * 3, sizes)
    y = np.full(len(groups), 4)
    diff.assert_same(
        lambda: impl.stratified_kfold(y, k, shuffle=shuffle, seed=3, groups=groups),
        lambda: list(reference.stratified_kfold(y, k, shuffle=shuffle, seed=3, groups=groups)),
        compare=_exactly,
    )
