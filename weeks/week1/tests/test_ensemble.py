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
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.stats import entropy
from torch import Tensor, nn

from grader import differential as diff


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
@pytest.mark.clause("mi-formula", "mi-shape", "mi-zero-prob", "mi-default-weights")
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


@pytest.mark.clause("mi-formula", "mi-shape")
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


@pytest.mark.clause("mi-identical", "mi-default-weights")
def test_mutual_information_of_identical_members_is_zero(impl: ModuleType) -> None:
    p = torch.softmax(torch.randn(3, 7, generator=torch.Generator().manual_seed(1)), dim=-1)
    got = impl.mutual_information(torch.stack([p, p, p]))
    assert torch.allclose(got, torch.zeros(3), atol=1e-6), (
        f"members that agree exactly have mutual information 0, got {got.tolist()}"
    )


# -- construction ------------------------------------------------------------------------------
@pytest.mark.clause("weights-normalised")
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
@pytest.mark.clause("weight-count", "negative-weight", "zero-sum", "raises-eagerly")
def test_invalid_weights_raise(impl: ModuleType, weights: list[float]) -> None:
    with pytest.raises(ValueError):
        impl.Ensemble([Fixed([0.0, 1.0]), Fixed([1.0, 0.0])], weights=weights)


@pytest.mark.clause("no-members", "raises-eagerly")
def test_no_members_raises(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.Ensemble([])


# -- prediction --------------------------------------------------------------------------------
@pytest.mark.clause("forward-log", "default-weights")
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


@pytest.mark.clause("predict-proba", "forward-log", "weights-normalised")
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


@pytest.mark.clause("members-registered", "eval-mode", "default-weights")
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


@pytest.mark.clause("member-probs")
def test_member_probs_shape(impl: ModuleType) -> None:
    ensemble = impl.Ensemble([_member(1), _member(2)])
    with torch.no_grad():
        got = ensemble.member_probs(torch.randn(5, 6))
    assert tuple(got.shape) == (2, 5, 4), (
        "member_probs of 2 members, 5 samples, 4 classes should be (2, 5, 4), got "
        f"{tuple(got.shape)}"
    )
    torch.testing.assert_close(got.sum(-1), torch.ones(2, 5), msg="each member's rows sum to 1")


@pytest.mark.clause("predict-proba", "forward-log", "weights-normalised")
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


@pytest.mark.clause("disagreement", "mi-identical")
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


@pytest.mark.clause("disagreement", "weights-normalised")
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


# -- differential: the same inputs through the learner's module and the reference's -------------
# float32 throughout: probabilities agree to a few ulps of 1 whatever the summation order, so
# atol=1e-6 on probabilities and MI (values <= log M), and atol=1e-5 on log-probabilities (the log
# of a probability near the 1e-12 clamp amplifies its relative rounding).
_PROBS = dict(rtol=1e-5, atol=1e-6)
_LOGS = dict(rtol=1e-5, atol=1e-5)
_EDGE_LOGITS = st.sampled_from([0.0, 1.0, -1.0, 30.0, -30.0, 300.0, -300.0])


def _np(t: Tensor) -> np.ndarray:
    return t.detach().numpy()


@st.composite
def _member_probs(draw: st.DrawFn) -> np.ndarray:
    """(M, N, C) probability tables, with exact zeros, one-hot rows and identical members."""
    m, n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    logits = draw(
        diff.float_arrays(min_dims=3, max_dims=3, min_side=1, max_side=1, magnitude=300.0).map(
            lambda a: np.broadcast_to(a, (m, n, c)).copy()
        )
        | st.lists(_EDGE_LOGITS, min_size=m * n * c, max_size=m * n * c).map(
            lambda v: np.array(v).reshape(m, n, c)
        )
    )
    return _np(torch.softmax(torch.tensor(logits, dtype=torch.float32), dim=-1))


@pytest.mark.clause(
    "mi-formula", "mi-zero-prob", "mi-nonneg", "mi-shape", "mi-default-weights", "mi-identical"
)
@given(
    probs=_member_probs(),
    raw=st.lists(st.sampled_from([0.0, 1.0, 0.25, 3.0]), min_size=3, max_size=3),
    weighted=st.booleans(),
)
@example(
    probs=np.array([[[1.0, 0.0]], [[0.0, 1.0]]], dtype=np.float32), raw=[1, 1, 1], weighted=False
)
def test_mutual_information_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, probs: np.ndarray, raw: list[float], weighted: bool
) -> None:
    m = probs.shape[0]
    w = np.array(raw[:m], dtype=np.float32)
    w = w / w.sum() if w.sum() > 0 else np.full(m, 1.0 / m, dtype=np.float32)
    args = (torch.tensor(probs),) + ((torch.tensor(w),) if weighted else ())
    got = diff.assert_same(
        lambda: _np(impl.mutual_information(*args)),
        lambda: _np(reference.mutual_information(*args)),
        **_PROBS,
    )
    assert got is not None, (
        "test setup: the reference mutual_information returned None; please report this"
    )


@pytest.mark.clause("mi-nonneg")
def test_mutual_information_is_never_negative_after_rounding(impl: ModuleType) -> None:
    # identical members: H[mean] - mean H rounds to -1.2e-7 for some of these rows in float32
    for seed in range(4):
        p = torch.softmax(torch.randn(1, 4, 5, generator=torch.Generator().manual_seed(seed)), -1)
        got = impl.mutual_information(torch.cat([p, p, p]))
        assert bool((got >= 0).all()), (
            f"mutual_information must never be negative (clamp the result at 0), got "
            f"{got.tolist()} for three identical members"
        )


class _Linear(nn.Module):
    """A member with fixed weights: logits = scale * (x @ W)."""

    def __init__(self, seed: int, scale: float, classes: int) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.linear = nn.Linear(3, classes, bias=False)
        with torch.no_grad():
            self.linear.weight.copy_(torch.randn(classes, 3, generator=g) * scale)
        self.norm = nn.BatchNorm1d(classes, affine=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.norm(self.linear(x)) if self.training else self.linear(x)


@pytest.mark.clause(
    "member-probs", "predict-proba", "forward-log", "disagreement", "weights-normalised",
    "default-weights", "eval-mode",
)  # fmt: skip
@given(
    seeds=st.lists(st.integers(0, 50), min_size=1, max_size=3),
    scale=st.sampled_from([0.0, 1.0, 50.0, 500.0]),
    classes=st.integers(1, 4),
    raw=st.none() | st.lists(st.sampled_from([0.0, 0.5, 1.0, 7.0]), min_size=3, max_size=3),
    n=st.integers(1, 4),
)
@example(seeds=[0, 1], scale=500.0, classes=3, raw=[0.0, 1.0, 1.0], n=2)
def test_ensemble_outputs_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, seeds, scale, classes, raw, n
) -> None:
    weights = None if raw is None else raw[: len(seeds)]
    if weights is not None and sum(weights) == 0:
        weights[0] = 1.0
    x = torch.randn(n, 3, generator=torch.Generator().manual_seed(n))

    def run(module: ModuleType, method: str) -> np.ndarray:
        members = [_Linear(s, scale, classes) for s in seeds]
        with torch.no_grad():
            return _np(getattr(module.Ensemble(members, weights), method)(x))

    for method, tol in [
        ("member_probs", _PROBS), ("predict_proba", _PROBS), ("forward", _LOGS),
        ("disagreement", _PROBS),
    ]:  # fmt: skip
        diff.assert_same(lambda m=method: run(impl, m), lambda m=method: run(reference, m), **tol)


@pytest.mark.clause("train-mode", "members-registered")
def test_train_mode_reaches_every_member_and_gradients_agree(
    impl: ModuleType, reference: ModuleType
) -> None:
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))

    def run(module: ModuleType) -> tuple[np.ndarray, ...]:
        members = [_Linear(s, 1.0, 3) for s in (1, 2)]
        ensemble = module.Ensemble(members, [1.0, 2.0]).train()
        out = ensemble(x)
        out[:, 0].sum().backward()
        grads = tuple(_np(m.linear.weight.grad) for m in members)
        return (_np(out), *grads)

    diff.assert_same(lambda: run(impl), lambda: run(reference), **_LOGS)


@pytest.mark.clause("no-members", "weight-count", "negative-weight", "zero-sum", "raises-eagerly")
@pytest.mark.parametrize(
    "count, weights",
    [
        (0, None),
        (2, [1.0]),
        (2, [1.0, 1.0, 1.0]),
        (2, [2.0, -1.0]),
        (2, [0.0, 0.0]),
        (3, [0, 0, 1]),
    ],
)
def test_validation_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, count: int, weights: list[float] | None
) -> None:
    diff.assert_same(
        lambda: impl.Ensemble([Fixed([0.0, 1.0]) for _ in range(count)], weights) and None,
        lambda: reference.Ensemble([Fixed([0.0, 1.0]) for _ in range(count)], weights) and None,
    )
