"""Tests of week1.calibration_metrics: reliability bins, ECE, MCE and the Brier score.

Oracles: a hand-computed five-sample case, torchmetrics' ``MulticlassCalibrationError``
(``norm="l1"`` is the ECE, ``norm="max"`` the MCE) on random predictions, and the Brier formula.
Run: ``pytest weeks/week1/tests/test_calibration_metrics.py``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torchmetrics.classification import MulticlassCalibrationError

from grader import differential as diff

# Hand-computed case, n_bins=4 (edges 0, .25, .5, .75, 1):
#   sample  probs                    label  conf  bin  correct
#   a       [1.0, 0.0, 0.0, 0.0]     1      1.0   3    no
#   b       [0.0, 0.8, 0.2, 0.0]     1      0.8   3    yes
#   c       [0.5, 0.3, 0.2, 0.0]     2      0.5   2    no
#   d       [0.4, 0.3, 0.2, 0.1]     0      0.4   1    yes
#   e       [0.1, 0.2, 0.3, 0.4]     0      0.4   1    no
HAND_PROBS = [
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 0.8, 0.2, 0.0],
    [0.5, 0.3, 0.2, 0.0],
    [0.4, 0.3, 0.2, 0.1],
    [0.1, 0.2, 0.3, 0.4],
]
HAND_LABELS = [1, 1, 2, 0, 0]
HAND_COUNTS = [0, 2, 1, 2]
HAND_CONFIDENCE = [0.0, 0.4, 0.5, 0.9]
HAND_ACCURACY = [0.0, 0.5, 0.0, 0.5]
HAND_ECE = (2 * 0.1 + 1 * 0.5 + 2 * 0.4) / 5  # 0.3
HAND_MCE = 0.5


def _hand() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor(HAND_PROBS), torch.tensor(HAND_LABELS)


def _random(seed: int, n: int = 3000, classes: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """Over-confident random predictions: labels drawn from softmax(logits / 2)."""
    g = torch.Generator().manual_seed(seed)
    logits = 3 * torch.randn(n, classes, generator=g)
    labels = torch.multinomial((logits / 2).softmax(1), 1, generator=g).squeeze(1)
    return logits.softmax(1), labels


def _floats(t: torch.Tensor) -> list[float]:
    return [round(float(v), 6) for v in t]


# -- reliability bins ----------------------------------------------------------------------------
@pytest.mark.clause("confidence", "bins", "last-bin", "bin-stats")
def test_reliability_bins_hand_computed(impl: ModuleType) -> None:
    probs, labels = _hand()
    bins = impl.reliability_bins(probs, labels, n_bins=4)
    got = [int(c) for c in bins.counts]
    assert got == HAND_COUNTS, (
        f"counts per bin should be {HAND_COUNTS} for confidences [1.0, 0.8, 0.5, 0.4, 0.4] in 4 "
        f"bins, got {got}. Bin b holds edges[b] <= conf < edges[b+1]: 0.5 goes to bin 2, and "
        "conf == 1.0 belongs to the last bin (never drop it)."
    )
    assert _floats(bins.edges) == [0.0, 0.25, 0.5, 0.75, 1.0], (
        f"edges should be torch.linspace(0, 1, 5), got {_floats(bins.edges)}"
    )
    for name, want in (("confidence", HAND_CONFIDENCE), ("accuracy", HAND_ACCURACY)):
        got_values = _floats(getattr(bins, name))
        assert got_values == pytest.approx(want, abs=1e-6), (
            f"{name} per bin should be {want} (empty bins 0), got {got_values}. Confidence is the "
            "max probability of each sample; a sample is correct when its argmax equals its label."
        )


@pytest.mark.clause("empty-bins")
def test_empty_bins_are_reported_with_count_zero(impl: ModuleType) -> None:
    probs = torch.tensor([[0.92, 0.08], [0.96, 0.04]])
    bins = impl.reliability_bins(probs, torch.tensor([0, 1]), n_bins=10)
    shapes = [tuple(t.shape) for t in (bins.counts, bins.confidence, bins.accuracy)]
    assert shapes == [(10,)] * 3, f"every field should have one entry per bin (10,), got {shapes}"
    assert [int(c) for c in bins.counts] == [0] * 9 + [2], (
        f"both confidences (0.92, 0.96) lie in the last of 10 bins, got counts {bins.counts}"
    )
    assert not torch.isnan(bins.confidence).any() and not torch.isnan(bins.accuracy).any(), (
        "empty bins must report confidence and accuracy 0, not NaN (avoid dividing by a count of 0)"
    )
    assert float(bins.confidence[9]) == pytest.approx(0.94) and float(bins.accuracy[9]) == 0.5, (
        "the last bin holds 0.92 (right) and 0.96 (wrong): want confidence 0.94 and accuracy 0.5, "
        f"got confidence {float(bins.confidence[9])!r} and accuracy {float(bins.accuracy[9])!r}"
    )


# -- ECE and MCE ---------------------------------------------------------------------------------
@pytest.mark.clause("ece", "mce", "python-float")
def test_ece_and_mce_hand_computed(impl: ModuleType) -> None:
    probs, labels = _hand()
    ece = impl.expected_calibration_error(probs, labels, n_bins=4)
    assert isinstance(ece, float), f"return a Python float (use float(...)), got {type(ece)}"
    assert ece == pytest.approx(HAND_ECE, abs=1e-6), (
        f"ECE of the hand case should be (2*0.1 + 1*0.5 + 2*0.4) / 5 = {HAND_ECE}, got {ece}. "
        "Weight each bin's |accuracy - confidence| by its share of the samples, n_b / N."
    )
    mce = impl.max_calibration_error(probs, labels, n_bins=4)
    assert mce == pytest.approx(HAND_MCE, abs=1e-6), (
        f"MCE of the hand case should be the largest bin gap, {HAND_MCE}, got {mce}"
    )


@pytest.mark.clause("ece", "mce")
@pytest.mark.parametrize("n_bins", [5, 15])
def test_ece_and_mce_match_torchmetrics(impl: ModuleType, n_bins: int) -> None:
    probs, labels = _random(seed=n_bins)
    for norm, fn in (("l1", "expected_calibration_error"), ("max", "max_calibration_error")):
        metric = MulticlassCalibrationError(num_classes=probs.shape[1], n_bins=n_bins, norm=norm)
        want = float(metric(probs, labels))
        got = getattr(impl, fn)(probs, labels, n_bins=n_bins)
        assert got == pytest.approx(want, abs=1e-5), (
            f"{fn}(n_bins={n_bins}) on 3000 over-confident random predictions should match "
            f"torchmetrics MulticlassCalibrationError(norm={norm!r}) = {want:.6f}, got {got:.6f}"
        )


@pytest.mark.clause("ece")
def test_ece_default_uses_15_bins(impl: ModuleType) -> None:
    probs, labels = _random(seed=3)
    want = float(MulticlassCalibrationError(num_classes=6, n_bins=15, norm="l1")(probs, labels))
    got = impl.expected_calibration_error(probs, labels)
    assert got == pytest.approx(want, abs=1e-5), (
        f"expected_calibration_error without n_bins should use 15 bins ({want:.6f}), got {got:.6f}"
    )


@pytest.mark.clause("ece")
def test_calibrated_predictions_score_about_zero(impl: ModuleType) -> None:
    g = torch.Generator().manual_seed(7)
    probs = (2 * torch.randn(20000, 5, generator=g)).softmax(1)
    labels = torch.multinomial(probs, 1, generator=g).squeeze(1)  # drawn from the probs
    ece = impl.expected_calibration_error(probs, labels, n_bins=10)
    assert ece < 0.02, (
        f"labels drawn from the predicted probabilities are calibrated by construction, so ECE "
        f"should be near 0 (< 0.02), got {ece:.4f}"
    )
    overconfident = (5 * torch.log(probs)).softmax(1)  # same argmax, sharper
    worse = impl.expected_calibration_error(overconfident, labels, n_bins=10)
    assert worse > ece + 0.05, (
        f"sharpening the same predictions should raise ECE clearly: {ece:.4f} -> {worse:.4f}"
    )


# -- Brier ---------------------------------------------------------------------------------------
@pytest.mark.clause("brier")
def test_brier_score_hand_computed(impl: ModuleType) -> None:
    probs = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    labels = torch.tensor([0, 0, 2])
    want = (0.0 + 2.0 + 1.5) / 3
    got = impl.brier_score(probs, labels)
    assert isinstance(got, float), f"return a Python float, got {type(got)}"
    assert got == pytest.approx(want, abs=1e-6), (
        f"Brier score should be mean_i sum_c (p_ic - onehot_ic)^2 = (0 + 2 + 1.5) / 3 = "
        f"{want:.4f}, got {got:.4f}. Every class counts (not only the true one) and the sum over "
        "classes is not divided by C."
    )


@pytest.mark.clause("brier")
def test_brier_score_matches_formula_on_random_data(impl: ModuleType) -> None:
    probs, labels = _random(seed=11, n=500, classes=4)
    onehot = torch.nn.functional.one_hot(labels, 4).float()
    want = float(((probs - onehot) ** 2).sum(1).mean())
    got = impl.brier_score(probs, labels)
    assert got == pytest.approx(want, abs=1e-5), f"Brier score should be {want:.6f}, got {got:.6f}"


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.clause("validation")
@pytest.mark.parametrize(
    "fn", ["reliability_bins", "expected_calibration_error", "max_calibration_error", "brier_score"]
)
def test_mismatched_shapes_raise_value_error(impl: ModuleType, fn: str) -> None:
    probs = torch.full((4, 3), 1 / 3)
    with pytest.raises(ValueError):
        getattr(impl, fn)(probs, torch.tensor([0, 1, 2]))
        pytest.fail(f"{fn} with 4 probability rows and 3 labels should raise ValueError")


# -- differential: the reference on the same inputs, edges, ties and bad shapes included ----------
EDGE_VALUES = [0.0, 0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 0.9, 1.0]


@st.composite
def predictions(draw: Any) -> tuple[torch.Tensor, torch.Tensor]:
    n, c = draw(st.integers(1, 8)), draw(st.integers(1, 4))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    kind = draw(st.sampled_from(["random", "edges", "uniform"]))
    if kind == "uniform":  # every class tied: the prediction is class 0
        probs = torch.full((n, c), 1.0 / c, dtype=torch.float64)
    elif kind == "edges":  # top probability exactly on a bin edge, the rest spread evenly
        top = torch.tensor(draw(st.lists(st.sampled_from(EDGE_VALUES), min_size=n, max_size=n)))
        top = top.double().clamp(min=1.0 / c)
        rest = ((1 - top) / max(c - 1, 1))[:, None].expand(n, c).clone()
        column = draw(st.integers(0, c - 1))
        rest[:, column] = top if c > 1 else 1.0
        probs = rest
    else:
        seed = draw(st.integers(0, 2**16))
        logits = torch.randn(n, c, generator=torch.Generator().manual_seed(seed)) * 3
        probs = logits.double().softmax(1)
    labels = torch.tensor(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return probs.to(dtype), labels


def _bins_compare(got: Any, want: Any) -> str | None:
    if not isinstance(got, tuple) or len(got) != 4:
        return f"expected a ReliabilityBins (4 fields), got {diff.describe(got)}"
    edges, counts, confidence, accuracy = got
    for name, g, w in (("edges", edges, want.edges), ("counts", counts, want.counts)):
        if not isinstance(g, torch.Tensor) or g.dtype != w.dtype or not torch.equal(g, w):
            return f"{name} should be {w.tolist()} ({w.dtype}), got {diff.describe(g)}"
    for name, g, w in (("confidence", confidence, want.confidence),
                       ("accuracy", accuracy, want.accuracy)):  # fmt: skip
        if not isinstance(g, torch.Tensor) or not g.is_floating_point() or g.shape != w.shape:
            return f"{name} should be a float tensor of shape {tuple(w.shape)}, got {g!r}"
        # a float32 running sum of N values may be off by N * eps(float32)
        if problem := diff.same(g.double().numpy(), w.double().numpy(), atol=1e-6):
            return f"{name}: {problem}"
    return None


@pytest.mark.clause("confidence", "ties", "bins", "last-bin", "edges", "bin-stats")
@pytest.mark.clause("empty-bins", "n-bins")
@given(case=predictions(), n_bins=st.sampled_from([1, 2, 3, 4, 5, 10, 15, 0, -1]))
def test_reliability_bins_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple, n_bins: int
) -> None:
    probs, labels = case
    diff.assert_same(
        impl.reliability_bins, reference.reliability_bins, probs, labels, n_bins,
        compare=_bins_compare,
    )  # fmt: skip


@pytest.mark.clause("ece", "mce", "brier", "python-float", "ties", "last-bin")
@given(case=predictions(), n_bins=st.sampled_from([1, 3, 4, 10, 15]))
@example(case=(torch.tensor([[0.5, 0.5], [1.0, 0.0]]), torch.tensor([1, 0])), n_bins=4)
def test_scores_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple, n_bins: int
) -> None:
    probs, labels = case
    # sums of N confidences in the dtype of probs: a few N * eps apart from the reference's
    atol = 8 * (len(labels) + probs.shape[1]) * torch.finfo(probs.dtype).eps

    def scalar(got: Any, want: Any) -> str | None:
        if not isinstance(got, float):
            return f"return a Python float, got {diff.describe(got)}"
        return diff.same(got, want, atol=atol)

    for name in ("expected_calibration_error", "max_calibration_error"):
        diff.assert_same(
            getattr(impl, name), getattr(reference, name), probs, labels, n_bins, compare=scalar
        )
    diff.assert_same(impl.brier_score, reference.brier_score, probs, labels, compare=scalar)


BAD_SHAPES = [
    (torch.full((3,), 1 / 3), torch.tensor([0])),
    (torch.full((1, 2, 3), 1 / 3), torch.tensor([0])),
    (torch.zeros(0, 3), torch.zeros(0, dtype=torch.int64)),
    (torch.full((2, 3), 1 / 3), torch.tensor([[0], [1]])),
    (torch.full((2, 3), 1 / 3), torch.tensor(1)),
]


@pytest.mark.clause("validation", "n-bins")
@pytest.mark.parametrize("case", range(len(BAD_SHAPES)))
@pytest.mark.parametrize(
    "fn", ["reliability_bins", "expected_calibration_error", "max_calibration_error", "brier_score"]
)
def test_bad_inputs_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: int, fn: str
) -> None:
    probs, labels = BAD_SHAPES[case]
    diff.assert_same(getattr(impl, fn), getattr(reference, fn), probs, labels)
