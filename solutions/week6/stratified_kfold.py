"""Reference solution: stratified (and group-aware) k-fold cross-validation splits."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["stratified_kfold"]


def _fold_of_samples(codes: NDArray, k: int, rng: np.random.Generator | None) -> NDArray:
    fold_of = np.empty(len(codes), dtype=np.int64)
    offset = 0  # rotate which folds get the extra members, so fold sizes stay balanced too
    for c in range(codes.max() + 1):
        idx = np.flatnonzero(codes == c)
        if rng is not None:
            idx = rng.permutation(idx)
        for part_no, part in enumerate(np.array_split(idx, k)):
            fold_of[part] = (part_no + offset) % k
        offset += len(idx) % k
    return fold_of


def _fold_of_groups(
    codes: NDArray, groups: NDArray, k: int, rng: np.random.Generator | None
) -> NDArray:
    names, group_codes = np.unique(groups, return_inverse=True)
    group_label = np.full(len(names), -1)
    for g, c in zip(group_codes, codes, strict=True):
        if group_label[g] not in (-1, c):
            raise ValueError(f"group {names[g]!r} has samples of more than one class")
        group_label[g] = c
    sizes = np.bincount(group_codes, minlength=len(names))
    fold_of_group = np.empty(len(names), dtype=np.int64)
    fold_total = np.zeros(k, dtype=np.int64)
    for c in range(codes.max() + 1):
        members = np.flatnonzero(group_label == c)
        if len(members) < k:
            raise ValueError(f"class {c} has {len(members)} groups, fewer than k={k}")
        if rng is not None:
            members = rng.permutation(members)
        members = members[np.argsort(-sizes[members], kind="stable")]  # largest first
        fold_count = np.zeros(k, dtype=np.int64)
        for g in members:
            # the fold furthest below its share of this class (then the smallest fold overall)
            f = min(range(k), key=lambda i: (fold_count[i], fold_total[i], i))
            fold_of_group[g] = f
            fold_count[f] += sizes[g]
            fold_total[f] += sizes[g]
    return fold_of_group[group_codes]


def stratified_kfold(
    y: ArrayLike,
    k: int,
    shuffle: bool = False,
    seed: int | None = None,
    groups: ArrayLike | None = None,
) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """``k`` (train, test) index splits whose test folds keep the class proportions of ``y``."""
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array, got shape {y.shape}")
    if not isinstance(k, int | np.integer) or k < 2:
        raise ValueError(f"k must be an integer >= 2, got {k!r}")
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    rng = np.random.default_rng(seed) if shuffle else None
    if groups is None:
        if counts.min() < k:
            small = classes[counts.argmin()]
            raise ValueError(f"class {small!r} has {counts.min()} members, fewer than k={k}")
        fold_of = _fold_of_samples(codes, k, rng)
    else:
        groups = np.asarray(groups)
        if groups.shape != y.shape:
            raise ValueError(f"groups must have shape {y.shape}, got {groups.shape}")
        fold_of = _fold_of_groups(codes, groups, k, rng)
    splits = [(np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)) for f in range(k)]
    return iter(splits)
