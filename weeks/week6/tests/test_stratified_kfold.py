"""Tests of week6.stratified_kfold: disjoint covering folds, class balance, seeding and groups.

The invariants of ``sklearn.model_selection.StratifiedKFold`` are the oracle: folds partition
the data and each class's per-fold counts are exactly sklearn's (they differ by at most one).
Run: ``pytest weeks/week6/tests/test_stratified_kfold.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold

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


@pytest.mark.parametrize(("k", "shuffle"), CONFIGS, ids=lambda v: str(v))
def test_folds_partition_the_data(impl: ModuleType, k: int, shuffle: bool) -> None:
    y = _labels(0)
    _check_partition(_splits(impl, y, k, shuffle=shuffle, seed=1), len(y), f"k={k}")


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


def test_string_labels_and_fold_proportions(impl: ModuleType) -> None:
    y = np.array(["aspirin"] * 12 + ["ibuprofen"] * 6 + ["zolpidem"] * 3)
    for _, test in _splits(impl, y, 3):
        counts = {c: int((y[test] == c).sum()) for c in ("aspirin", "ibuprofen", "zolpidem")}
        assert counts == {"aspirin": 4, "ibuprofen": 2, "zolpidem": 1}, (
            f"12/6/3 members over 3 folds must give 4/2/1 per test fold, got {counts}"
        )


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
