"""Tests of week1.ensemble: probability averaging, weights, eval mode and mutual information.

Oracles: hand-computed cases, ``torch.softmax`` and ``scipy.stats.entropy``, and Jensen's
inequality checked with hypothesis on random members and inputs.
Run: ``pytest weeks/week1/tests/test_ensemble.py``.
"""

from __future__ import annotations

import copy
import math
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import entropy
from torch import Tensor, nn


class Fixed(nn.Module):
    """A 'classifier' that returns the same logits for every sample of the batch."""

    def __init__(self, logits: list[float]) -> None:
        super().__init__()
        self.register_buffer("logits", torch.tensor(logits))

    def forward(self, x: Tensor) -> Tensor:
        return self.logits.expand(x.shape[0], -1)


def _member(seed: int, in_features: int = 6, classes: int = 4) -> nn.Module:
    """A small classifier with dropout and batch norm (both behave differently in train mode)."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(in_features, 16),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(16, classes),
    )
    with torch.no_grad():
        model[1].running_mean.normal_(0.0, 0.5)
        model[1].running_var.uniform_(0.5, 2.0)
    return model


# -- mutual information ------------------------------------------------------------------------
def test_mutual_information_of_opposite_members_is_log_two(impl: ModuleType) -> None:
    probs = torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]]])  # (M=2, N=1, C=2)
    got = impl.mutual_information(probs)
    assert got.shape == (1,), (
        f"mutual_information of (M=2, N=1, C=2) should have shape (1,), got {tuple(got.shape)}"
    )
    assert got.item() == pytest.approx(math.log(2), abs=1e-5), (
        "two confident members that disagree ([1, 0] and [0, 1]) have mutual information "
        f"H[0.5, 0.5] - 0 = log 2 = 0.6931 nats; got {got.item():.4f}. It is the entropy of the "
        "mean minus the mean entropy (not the other way round)."
    )


def test_mutual_information_matches_scipy_on_a_weighted_case(impl: ModuleType) -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(5), size=(3, 4))  # (M=3, N=4, C=5): every axis a different size
    weights = np.array([0.2, 0.3, 0.5])
    mean = np.einsum("m,mnc->nc", weights, probs)
    want = entropy(mean, axis=-1) - np.einsum("m,mn->n", weights, entropy(probs, axis=-1))
    got = impl.mutual_information(torch.tensor(probs), torch.tensor(weights)).numpy()
    np.testing.assert_allclose(
        got,
        want,
        atol=1e-6,
        err_msg="mutual_information(p, w) for M=3 members, N=4 samples, C=5 classes differs from "
        "H[sum_m w_m p_m] - sum_m w_m H[p_m] (scipy.stats.entropy). Average over axis 0 "
        "(members), take entropies over the last axis (classes).",
    )


def test_mutual_information_of_identical_members_is_zero(impl: ModuleType) -> None:
    p = torch.softmax(torch.randn(3, 7, generator=torch.Generator().manual_seed(1)), dim=-1)
    got = impl.mutual_information(torch.stack([p, p, p]))
    assert torch.allclose(got, torch.zeros(3), atol=1e-6), (
        f"members that agree exactly have mutual information 0, got {got.tolist()}"
    )


# -- construction ------------------------------------------------------------------------------
def test_weights_are_normalised(impl: ModuleType) -> None:
    ensemble = impl.Ensemble([Fixed([0.0, 1.0]), Fixed([1.0, 0.0])], weights=[1.0, 3.0])
    got = torch.as_tensor(ensemble.weights).tolist()
    assert got == pytest.approx([0.25, 0.75]), (
        f"Ensemble(members, weights=[1, 3]) should store the buffer weights = [0.25, 0.75] (they "
        f"are normalised to sum to 1), got {got}"
    )
    assert "weights" in dict(ensemble.named_buffers()), (
        "register the normalised weights as a buffer (self.register_buffer('weights', ...)) so "
        "they follow .to() and state_dict()"
    )


@pytest.mark.parametrize(
    "weights", [[1.0], [1.0, -1.0], [0.0, 0.0]], ids=["too_few", "negative", "zero_sum"]
)
def test_invalid_weights_raise(impl: ModuleType, weights: list[float]) -> None:
    with pytest.raises(ValueError):
        impl.Ensemble([Fixed([0.0, 1.0]), Fixed([1.0, 0.0])], weights=weights)


def test_no_members_raises(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.Ensemble([])


# -- prediction --------------------------------------------------------------------------------
def test_single_member_is_its_log_softmax(impl: ModuleType) -> None:
    member = _member(0).eval()
    x = torch.randn(5, 6, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got = impl.Ensemble([member])(x)
        want = F.log_softmax(member(x), dim=-1)
    torch.testing.assert_close(
        got,
        want,
        atol=1e-5,
        rtol=1e-5,
        msg="an ensemble of one member should return log_softmax(member(x)): forward returns "
        "log-probabilities",
    )


def test_averages_probabilities_not_logits(impl: ModuleType) -> None:
    a, b = [3.0, 0.0, -1.0], [-2.0, 2.0, 0.0]
    ensemble = impl.Ensemble([Fixed(a), Fixed(b)], weights=[1.0, 3.0])
    x = torch.zeros(2, 1)
    want = 0.25 * torch.softmax(torch.tensor(a), -1) + 0.75 * torch.softmax(torch.tensor(b), -1)
    with torch.no_grad():
        proba = ensemble.predict_proba(x)
        log_proba = ensemble(x)
    torch.testing.assert_close(
        proba,
        want.expand(2, -1),
        atol=1e-5,
        rtol=1e-5,
        msg=f"predict_proba should be 0.25 * softmax({a}) + 0.75 * softmax({b}) = "
        f"{[round(v, 4) for v in want.tolist()]} for weights [1, 3]; averaging logits, or "
        "weights that do not sum to 1, give something else",
    )
    torch.testing.assert_close(
        log_proba.exp(),
        want.expand(2, -1),
        atol=1e-5,
        rtol=1e-5,
        msg="forward should return log(predict_proba(x)): exp(forward(x)) must be the averaged "
        "probabilities",
    )


def test_members_are_registered_and_in_eval_mode(impl: ModuleType) -> None:
    members = [_member(seed) for seed in (1, 2, 3)]  # fresh modules are in train mode
    reference = [copy.deepcopy(m).eval() for m in members]
    ensemble = impl.Ensemble(members)
    n_params = sum(p.numel() for m in members for p in m.parameters())
    got_params = sum(p.numel() for p in ensemble.parameters())
    assert got_params == n_params, (
        f"the ensemble should own its members' {n_params} parameters, it has {got_params}: keep "
        "the members in an nn.ModuleList"
    )
    x = torch.randn(8, 6, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        want = torch.stack([torch.softmax(m(x), -1) for m in reference]).mean(0)
        got = ensemble.predict_proba(x)
    torch.testing.assert_close(
        got,
        want,
        atol=1e-5,
        rtol=1e-5,
        msg="Ensemble(members) should predict with every member in eval mode (dropout off, "
        "batch-norm running statistics) without the caller calling .eval(): end __init__ with "
        "self.eval() and keep the members in an nn.ModuleList",
    )


def test_member_probs_shape(impl: ModuleType) -> None:
    ensemble = impl.Ensemble([_member(1), _member(2)])
    with torch.no_grad():
        got = ensemble.member_probs(torch.randn(5, 6))
    assert tuple(got.shape) == (2, 5, 4), (
        "member_probs of 2 members, 5 samples, 4 classes should be (2, 5, 4), got "
        f"{tuple(got.shape)}"
    )
    torch.testing.assert_close(got.sum(-1), torch.ones(2, 5), msg="each member's rows sum to 1")


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seeds=st.lists(st.integers(0, 10_000), min_size=2, max_size=4, unique=True),
    raw_weights=st.lists(st.floats(0.05, 5.0), min_size=4, max_size=4),
    data_seed=st.integers(0, 10_000),
)
def test_ensemble_nll_never_worse_than_members(
    impl: ModuleType, seeds: list[int], raw_weights: list[float], data_seed: int
) -> None:
    members = [_member(seed) for seed in seeds]
    weights = raw_weights[: len(members)]
    ensemble = impl.Ensemble(members, weights=weights)
    g = torch.Generator().manual_seed(data_seed)
    x = torch.randn(16, 6, generator=g) * 3
    y = torch.randint(0, 4, (16,), generator=g)
    w = torch.tensor(weights) / sum(weights)
    with torch.no_grad():
        ours = F.nll_loss(ensemble(x), y, reduction="none")
        member_nll = torch.stack(
            [F.cross_entropy(m(x), y, reduction="none") for m in ensemble.members]
        )
    bound = (w.view(-1, 1) * member_nll).sum(0)
    worst = (ours - bound).max().item()
    assert worst <= 1e-5, (
        "Jensen: the ensemble's per-sample NLL, -log(sum_m w_m p_m[y]), can never exceed the "
        f"weighted mean of the members' NLLs; it did by {worst:.4g} nats (members {seeds}, "
        f"weights {weights}). Average probabilities with normalised weights, members in eval mode."
    )


def test_disagreement_is_zero_for_identical_members(impl: ModuleType) -> None:
    member = _member(4)
    ensemble = impl.Ensemble([member, copy.deepcopy(member)])
    with torch.no_grad():
        got = ensemble.disagreement(torch.randn(6, 6))
    assert tuple(got.shape) == (6,), (
        f"disagreement of 6 samples should have shape (6,), got {tuple(got.shape)}"
    )
    assert torch.allclose(got, torch.zeros(6), atol=1e-6), (
        f"identical members never disagree: disagreement should be 0, got {got.tolist()}"
    )


def test_disagreement_is_the_weighted_mutual_information(impl: ModuleType) -> None:
    a, b = [4.0, 0.0, 0.0], [0.0, 4.0, 0.0]
    ensemble = impl.Ensemble([Fixed(a), Fixed(b)], weights=[3.0, 1.0])
    pa, pb = (torch.softmax(torch.tensor(v), -1).numpy() for v in (a, b))
    mean = 0.75 * pa + 0.25 * pb
    want = entropy(mean) - (0.75 * entropy(pa) + 0.25 * entropy(pb))
    with torch.no_grad():
        got = ensemble.disagreement(torch.zeros(2, 1))
    np.testing.assert_allclose(
        got.numpy(),
        [want, want],
        atol=1e-5,
        err_msg=f"two members that prefer different classes, weights [0.75, 0.25]: the mutual "
        f"information is {want:.4f} nats; use the normalised weights in both the mean and the "
        "mean entropy",
    )
