"""Tests of week6.decision_stump: impurities, the best split, and the O(n log n) sweep.

Judges: a depth-1 ``sklearn.tree.DecisionTreeClassifier`` (root feature, threshold, impurities)
and a brute-force search over every candidate threshold in this file (which also settles ties).
Work is measured by counting the array elements handed to function and method calls while your
``best_split`` runs (``sys.setprofile``), on 3000 samples. Run:
``pytest weeks/week6/tests/test_decision_stump.py``.
"""

from __future__ import annotations

import math
import sys
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.tree import DecisionTreeClassifier

from grader import differential as diff

N_WORK, WORK_PER_ELEMENT = 3000, 300


def _impurity(labels: np.ndarray, criterion: str) -> float:
    if len(labels) == 0:
        return 0.0
    _, counts = np.unique(labels, return_counts=True)
    p = counts / counts.sum()
    return float(1 - np.sum(p**2)) if criterion == "gini" else float(-np.sum(p * np.log2(p)))


def _brute_force(X: np.ndarray, y: np.ndarray, criterion: str) -> list[tuple[float, int, float]]:
    """Every valid (gain, feature, threshold), best first with the documented tie rule."""
    parent = _impurity(y, criterion)
    found = []
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for a, b in zip(values[:-1], values[1:], strict=True):
            t = (a + b) / 2
            left = X[:, j] <= t
            weighted = (
                left.sum() * _impurity(y[left], criterion)
                + (~left).sum() * _impurity(y[~left], criterion)
            ) / len(y)
            found.append((parent - weighted, j, float(t)))
    return sorted(found, key=lambda c: (-round(c[0], 12), c[1], c[2]))


def _sklearn_root(X: np.ndarray, y: np.ndarray, criterion: str) -> tuple[int, float, float]:
    tree = DecisionTreeClassifier(max_depth=1, criterion=criterion, random_state=0).fit(X, y).tree_
    n = tree.n_node_samples
    gain = tree.impurity[0] - (n[1] * tree.impurity[1] + n[2] * tree.impurity[2]) / n[0]
    return int(tree.feature[0]), float(tree.threshold[0]), float(gain)


def _dataset(seed: int, n: int = 80, d: int = 4, k: int = 3):
    """Integer-valued features (many repeated values); even seeds plant an informative cut."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 12, size=(n, d)).astype(np.float64)
    y = rng.integers(0, k, size=n)
    if seed % 2 == 0:
        feature, cut = int(rng.integers(d)), int(rng.integers(2, 10))
        planted = (X[:, feature] > cut).astype(int) * (k - 1)
        y = np.where(rng.random(n) < 0.5, planted, y)
    return X, y


class _ArrayWork:
    """Profile hook: sums the sizes of the arrays passed to Python-level calls (including
    NumPy's Python wrappers and dispatchers, and your own helpers) and of the arrays whose
    methods are called (``a.sum()``, ``a.argsort()``, ...)."""

    def __init__(self) -> None:
        self.elements = 0

    def __call__(self, frame, event: str, arg: object) -> None:
        if event == "call":  # at a call event the frame's locals are exactly its arguments
            for value in frame.f_locals.values():
                if isinstance(value, np.ndarray):
                    self.elements += value.size
                elif isinstance(value, list | tuple):
                    self.elements += sum(v.size for v in value if isinstance(v, np.ndarray))
        elif event == "c_call":
            owner = getattr(arg, "__self__", None)
            if isinstance(owner, np.ndarray):
                self.elements += owner.size


@pytest.mark.clause("gini", "entropy", "empty-impurity")
# -- impurities ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("labels", "want_gini", "want_entropy"),
    [
        ([0, 0, 1, 1], 0.5, 1.0),
        ([7, 7, 7], 0.0, 0.0),
        (["a", "b", "c"], 2 / 3, math.log2(3)),
        ([1, 1, 1, 2], 0.375, -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))),
        ([], 0.0, 0.0),
    ],
)
def test_gini_and_entropy_by_hand(
    impl: ModuleType, labels: list, want_gini: float, want_entropy: float
) -> None:
    got_gini, got_entropy = impl.gini(np.array(labels)), impl.entropy(np.array(labels))
    assert math.isclose(got_gini, want_gini, abs_tol=1e-12), (
        f"gini({labels}) = 1 - sum p_k^2 = {want_gini:.6f}, got {got_gini}"
    )
    assert math.isclose(got_entropy, want_entropy, abs_tol=1e-12), (
        f"entropy({labels}) = -sum p_k log2 p_k = {want_entropy:.6f} bits, got {got_entropy} "
        "(use log base 2, like scikit-learn)"
    )


@pytest.mark.clause("gini", "entropy")
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_impurities_match_sklearn_root(impl: ModuleType, criterion: str) -> None:
    X, y = _dataset(1)
    tree = DecisionTreeClassifier(max_depth=1, criterion=criterion).fit(X, y).tree_
    got = getattr(impl, criterion)(y)
    assert math.isclose(got, tree.impurity[0], rel_tol=1e-12), (
        f"{criterion} of the labels: scikit-learn's root impurity is {tree.impurity[0]:.10g}, "
        f"got {got:.10g}"
    )


@pytest.mark.clause("best", "gain", "threshold")
# -- best split ------------------------------------------------------------------------------------
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("seed", range(10))
def test_best_split_matches_brute_force_and_sklearn(
    impl: ModuleType, seed: int, criterion: str
) -> None:
    X, y = _dataset(seed)
    got = impl.best_split(X, y, criterion)
    candidates = _brute_force(X, y, criterion)
    gain, feature, threshold = candidates[0]
    assert got is not None, "this dataset has valid splits: best_split must not return None"
    assert (got.feature, got.threshold) == (feature, threshold), (
        f"seed {seed}, {criterion}: best split is feature {feature} <= {threshold} (gain "
        f"{gain:.6f}); got feature {got.feature} <= {got.threshold} (gain {got.gain:.6f}). "
        "Thresholds are midpoints between consecutive distinct values"
    )
    assert math.isclose(got.gain, gain, abs_tol=1e-9), (
        f"gain of feature {feature} <= {threshold} is {gain:.10g}, got {got.gain:.10g}"
    )
    if len(candidates) == 1 or candidates[1][0] < gain - 1e-9:  # unique optimum
        sk_feature, sk_threshold, sk_gain = _sklearn_root(X, y, criterion)
        assert (sk_feature, sk_threshold) == (got.feature, got.threshold), (
            f"scikit-learn's depth-1 tree splits on feature {sk_feature} <= {sk_threshold}, you on "
            f"feature {got.feature} <= {got.threshold}"
        )
        assert math.isclose(got.gain, sk_gain, abs_tol=1e-9), "gain differs from scikit-learn"


@pytest.mark.clause("threshold")
def test_threshold_is_the_midpoint_of_distinct_values(impl: ModuleType) -> None:
    X = np.array([[1.0], [2.0], [2.0], [5.0], [5.0], [6.0]])
    got = impl.best_split(X, np.array([0, 0, 0, 1, 1, 1]))
    assert got is not None and got.threshold == 3.5 and math.isclose(got.gain, 0.5), (
        "x = [1, 2, 2, 5, 5, 6], y = [0, 0, 0, 1, 1, 1]: the perfect cut lies between 2 and 5, at "
        f"their midpoint 3.5 with gain 0.5; got {got}"
    )


@pytest.mark.clause("threshold", "ties")
def test_never_cuts_between_equal_values(impl: ModuleType) -> None:
    X = np.array([[1.0], [2.0], [2.0], [5.0]])
    got = impl.best_split(X, np.array([0, 0, 1, 1]))
    assert got is not None and got.threshold == 1.5 and math.isclose(got.gain, 1 / 6), (
        "x = [1, 2, 2, 5], y = [0, 0, 1, 1]: cutting between the two 2s would separate the "
        "classes but no threshold can do it; the valid cuts 1.5 and 3.5 tie (gain 1/6) and the "
        f"smaller threshold wins. Expected Split(0, 1.5, 0.1667), got {got}"
    )


@pytest.mark.clause("ties")
def test_ties_go_to_the_smallest_feature(impl: ModuleType) -> None:
    X, y = _dataset(2, d=3)
    best_feature = _brute_force(X, y, "gini")[0][1]
    X = np.column_stack([X[:, best_feature], X[:, best_feature], X])  # 0, 1 and 2 + b tie
    got = impl.best_split(X, y)
    want = _brute_force(X, y, "gini")[0]
    assert got is not None and (got.feature, got.threshold) == (want[1], want[2]), (
        f"features 0, 1 and {2 + best_feature} are copies of the best feature: on a tie the "
        f"smallest feature index wins; expected feature {want[1]} <= {want[2]}, got {got}"
    )


@pytest.mark.clause("threshold", "none")
def test_constant_features_are_never_chosen(impl: ModuleType) -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 40)
    X = np.column_stack([np.full(40, 3.0), y + 0.1 * rng.random(40), np.zeros(40)])
    got = impl.best_split(X, y)
    assert got is not None and got.feature == 1, (
        f"features 0 and 2 are constant (no threshold can split them); expected feature 1, "
        f"got {got}"
    )
    assert impl.best_split(np.ones((10, 3)), rng.integers(0, 2, 10)) is None, (
        "when every feature is constant there is no split: return None"
    )


@pytest.mark.clause("none")
def test_pure_labels_give_no_split(impl: ModuleType) -> None:
    X = np.random.default_rng(5).standard_normal((20, 3))
    got = impl.best_split(X, np.full(20, 4))
    assert got is None, f"a single class has nothing to gain: return None, got {got}"


@pytest.mark.clause("entropy", "best")
def test_string_labels(impl: ModuleType) -> None:
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    got = impl.best_split(X, np.array(["cat", "cat", "dog", "dog"]), "entropy")
    assert got is not None and (got.threshold, got.gain) == (1.5, 1.0), (
        f"labels may be strings: cat, cat | dog, dog splits at 1.5 with 1 bit of gain, got {got}"
    )


@pytest.mark.clause("criterion", "shapes")
@pytest.mark.parametrize(
    ("X", "y", "criterion", "why"),
    [
        (np.zeros((4, 2)), np.zeros(4), "mse", "an unknown criterion"),
        (np.zeros(4), np.zeros(4), "gini", "X that is not 2-D"),
        (np.zeros((4, 2)), np.zeros(3), "gini", "4 rows in X but 3 labels"),
    ],
)
def test_invalid_inputs_raise(impl: ModuleType, X, y, criterion: str, why: str) -> None:
    with pytest.raises(ValueError):
        impl.best_split(X, y, criterion)
        pytest.fail(f"best_split should raise ValueError for {why}")


@pytest.mark.clause("complexity")
# -- complexity ------------------------------------------------------------------------------------
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_work_is_n_log_n_not_quadratic(impl: ModuleType, criterion: str) -> None:
    rng = np.random.default_rng(6)
    X = rng.standard_normal((N_WORK, 2))
    y = rng.integers(0, 3, N_WORK)
    counter = _ArrayWork()
    sys.setprofile(counter)
    try:
        got = impl.best_split(X, y, criterion)
    finally:
        sys.setprofile(None)
    budget = WORK_PER_ELEMENT * X.size
    assert counter.elements <= budget, (
        f"on {N_WORK} samples x 2 features your best_split handed {counter.elements:,} array "
        f"elements to function and method calls, more than {budget:,} ({WORK_PER_ELEMENT} per "
        "input value). Recounting the labels for every threshold is O(n^2): sort each feature "
        "once and update the class counts incrementally (or use cumulative sums)"
    )
    assert got is not None, "random data with 3 classes always has a split"


# -- judged against the reference --------------------------------------------------------------
# Gains computed in another order differ by ~1e-15, so two gains within 1e-9 are a tie (on these
# small data sets distinct gains differ by far more): the winner is then the smallest feature,
# then the smallest threshold, whatever the last bits say.
def _started(impl: ModuleType) -> None:
    """Valid calls first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.gini(np.array([0]))
    impl.entropy(np.array([0]))
    impl.best_split(np.array([[0.0], [1.0]]), np.array([0, 1]))


_LABELS = st.one_of(
    hnp.arrays(np.int64, st.integers(0, 12), elements=st.integers(-1, 3)),
    st.lists(st.sampled_from(["aspirin", "ibuprofen", "zolpidem"]), max_size=12).map(np.array),
)


@pytest.mark.clause("gini", "entropy", "empty-impurity")
@given(labels=_LABELS)
@example(labels=np.array([], dtype=np.int64))
@example(labels=np.array(["a", "b", "c"]))
def test_impurities_agree_with_the_reference(impl, reference, labels) -> None:
    _started(impl)
    for name in ("gini", "entropy"):
        diff.assert_same(
            getattr(impl, name), getattr(reference, name), labels,
            compare=lambda g, w: (
                f"expected a float, got {diff.describe(g)}" if not isinstance(g, float)
                else diff.same(g, w, rtol=1e-12, atol=1e-12)
            ),
        )  # fmt: skip


def _by_the_rules(X, y, criterion):
    def compare(got, want) -> str | None:
        if want is None:
            return None if got is None else f"expected None (no split), got {got!r}"
        if got is None or not (isinstance(got, tuple) and len(got) == 3):
            return f"expected Split(feature, threshold, gain), got {got!r}"
        candidates = _brute_force(X, y, criterion)
        top = max(c[0] for c in candidates)
        _, feature, threshold = min((c for c in candidates if c[0] >= top - 1e-9),
                                    key=lambda c: (c[1], c[2]))  # fmt: skip
        f, t, g = got
        if f != feature or not math.isclose(t, threshold, rel_tol=1e-12, abs_tol=1e-12):
            return (
                f"expected feature {feature} <= {threshold} (the largest gain {top:.6g}, ties to "
                f"the smallest feature, then the smallest threshold), got {got!r}"
            )
        if not math.isclose(g, top, rel_tol=0, abs_tol=1e-12):
            return f"gain: expected {top!r}, got {g!r}"
        return None

    return compare


@st.composite
def _stumps(draw):
    n = draw(st.integers(0, 10))
    d = draw(st.integers(1, 3))
    X = draw(hnp.arrays(np.float64, (n, d), elements=st.sampled_from([0.0, 1.0, 2.0, 2.5, -3.0])))
    y = draw(
        st.one_of(
            hnp.arrays(np.int64, (n,), elements=st.integers(0, 2)),
            st.lists(st.sampled_from(["cat", "dog"]), min_size=n, max_size=n).map(np.array),
        )
    )
    flaw = draw(st.sampled_from(["none"] * 8 + ["X 1-D", "y 2-D", "y short"]))
    if flaw == "X 1-D":
        X = X[:, 0]
    elif flaw == "y 2-D":
        y = y[:, None]
    elif flaw == "y short" and n:
        y = y[:-1]
    return X, y


@pytest.mark.clause(
    "best", "gain", "threshold", "zero-gain", "ties", "none", "criterion", "shapes",
)  # fmt: skip
@given(data=_stumps(), criterion=st.sampled_from(["gini", "entropy", "gini", "mse", "Gini"]))
@example(data=(np.array([[0.0], [1.0], [0.0], [1.0]]), np.array([0, 0, 1, 1])), criterion="gini")
@example(data=(np.array([[1.0], [2.0], [2.0], [5.0]]), np.array([0, 0, 1, 1])), criterion="gini")
@example(data=(np.array([[1.0, 3.0], [2.0, 4.0]]), np.array([0, 1])), criterion="entropy")
@example(data=(np.zeros((0, 2)), np.zeros(0)), criterion="gini")
@example(data=(np.ones((3, 2)), np.array([0, 1, 0])), criterion="gini")
@example(data=(np.array([[0.0], [1.0]]), np.array([[0], [1]])), criterion="gini")
def test_best_split_agrees_with_the_reference(impl, reference, data, criterion) -> None:
    _started(impl)
    X, y = data
    valid = X.ndim == 2 and y.ndim == 1 and len(X) == len(y) and len(y) and criterion in (
        "gini", "entropy")  # fmt: skip
    diff.assert_same(
        impl.best_split, reference.best_split, X, y, criterion,
        compare=_by_the_rules(X, y, criterion) if valid else None,
    )  # fmt: skip
