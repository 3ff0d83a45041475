"""Tests of week1.loss_functions: cross-entropy, focal loss and MSE against PyTorch.

Oracles: ``F.cross_entropy`` (weights, label smoothing, ignore_index, reductions),
``torchvision.ops.sigmoid_focal_loss`` (binary focal loss), ``F.mse_loss``, and hand-computed
values. Run: ``pytest weeks/week1/tests/test_loss_functions.py``.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st
from torchvision.ops import sigmoid_focal_loss

from grader import differential as diff

REDUCTIONS = ("mean", "sum", "none")
K = 6


def _batch(seed: int, n: int = 24, scale: float = 3.0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, K, generator=g) * scale
    target = torch.randint(0, K, (n,), generator=g)
    return logits, target


def _weights(seed: int) -> torch.Tensor:
    return torch.rand(K, generator=torch.Generator().manual_seed(seed)) * 3 + 0.1


def _close(got: torch.Tensor, want: torch.Tensor, what: str, atol: float = 1e-5) -> None:
    assert isinstance(got, torch.Tensor), f"{what}: return a tensor, got {type(got).__name__}"
    assert got.shape == want.shape, (
        f"{what}: expected shape {tuple(want.shape)}, got {tuple(got.shape)} "
        "(reduction='none' keeps one value per sample; 'mean' and 'sum' give a scalar)"
    )
    assert torch.allclose(got.float(), want.float(), atol=atol, rtol=1e-5), (
        f"{what}: expected {want.flatten()[:6].tolist()}, got {got.flatten()[:6].tolist()}"
    )


# -- cross-entropy -----------------------------------------------------------------------------
@pytest.mark.clause("ce-formula", "ce-matches-torch", "reduction")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_matches_torch(impl: ModuleType, reduction: str) -> None:
    logits, target = _batch(0)
    got = impl.cross_entropy(logits, target, reduction=reduction)
    want = F.cross_entropy(logits, target, reduction=reduction)
    _close(got, want, f"cross_entropy(reduction={reduction!r}) without weights or smoothing")


@pytest.mark.clause("ce-weighted-mean", "ce-formula")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_weights(impl: ModuleType, reduction: str) -> None:
    logits, target = _batch(1)
    weight = _weights(1)
    got = impl.cross_entropy(logits, target, weight=weight, reduction=reduction)
    want = F.cross_entropy(logits, target, weight=weight, reduction=reduction)
    hint = (
        " ('mean' with weights divides by the sum of the weights of the targets, "
        "sum_i w[y_i], not by N)"
        if reduction == "mean"
        else " (sample i is scaled by w[y_i])"
    )
    _close(got, want, f"cross_entropy(weight=w, reduction={reduction!r}){hint}")


@pytest.mark.clause("ce-smoothing")
@pytest.mark.parametrize("eps", [0.1, 0.4])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_label_smoothing(impl: ModuleType, eps: float, reduction: str) -> None:
    logits, target = _batch(2)
    got = impl.cross_entropy(logits, target, label_smoothing=eps, reduction=reduction)
    want = F.cross_entropy(logits, target, label_smoothing=eps, reduction=reduction)
    _close(
        got,
        want,
        f"cross_entropy(label_smoothing={eps}, reduction={reduction!r}): the smoothed target "
        "is (1 - eps) * onehot + eps / K over all K classes",
    )


@pytest.mark.clause("ce-smoothing")
def test_cross_entropy_label_smoothing_hand_computed(impl: ModuleType) -> None:
    # Uniform logits over 4 classes: every log-probability is -ln 4, so any smoothing gives ln 4;
    # logits [ln 2, 0, 0, 0] (probabilities 2/5, 1/5, 1/5, 1/5), target 0, eps = 0.2:
    # 0.8 * ln(5/2) + 0.2 / 4 * (ln(5/2) + 3 ln 5) = 0.9845...
    logits = torch.tensor([[math.log(2.0), 0.0, 0.0, 0.0]])
    want = 0.8 * math.log(2.5) + 0.05 * (math.log(2.5) + 3 * math.log(5.0))
    got = impl.cross_entropy(logits, torch.tensor([0]), label_smoothing=0.2)
    assert abs(float(got) - want) < 1e-5, (
        f"logits [ln 2, 0, 0, 0], target 0, label_smoothing 0.2: expected {want:.5f} = "
        f"0.8 * ln(5/2) + 0.2/4 * (ln(5/2) + 3 ln 5), got {float(got):.5f}. Spread eps over "
        "all K classes (eps / K each, the true class included), not over the K - 1 others."
    )


@pytest.mark.clause("ce-smoothing", "ce-formula")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_weights_and_smoothing(impl: ModuleType, reduction: str) -> None:
    logits, target = _batch(3)
    weight = _weights(3)
    got = impl.cross_entropy(
        logits, target, weight=weight, label_smoothing=0.2, reduction=reduction
    )
    want = F.cross_entropy(logits, target, weight=weight, label_smoothing=0.2, reduction=reduction)
    _close(
        got,
        want,
        f"cross_entropy(weight=w, label_smoothing=0.2, reduction={reduction!r}): the uniform "
        "term is eps / K * sum_c w[c] * -logp[i, c]",
    )


@pytest.mark.clause("ce-ignore")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_ignore_index(impl: ModuleType, reduction: str) -> None:
    logits, target = _batch(4)
    target[[0, 5, 6, 11]] = -100
    weight = _weights(4)
    for kwargs in ({}, {"weight": weight, "label_smoothing": 0.1}):
        got = impl.cross_entropy(logits, target, reduction=reduction, **kwargs)
        want = F.cross_entropy(logits, target, reduction=reduction, **kwargs)
        _close(
            got,
            want,
            f"cross_entropy with 4 of 24 targets = -100 (ignore_index), {kwargs or 'no weights'}"
            f", reduction={reduction!r}: ignored samples have loss 0 and do not count in the mean",
        )
    got = impl.cross_entropy(logits, torch.where(target < 0, 3, target), ignore_index=3)
    want = F.cross_entropy(logits, torch.where(target < 0, 3, target), ignore_index=3)
    _close(got, want, "cross_entropy(..., ignore_index=3): use the argument, not a hard-coded -100")


@pytest.mark.clause("stable")
def test_cross_entropy_stable_for_huge_logits(impl: ModuleType) -> None:
    logits, target = _batch(5, scale=1e4)
    got = impl.cross_entropy(logits, target, label_smoothing=0.1, reduction="none")
    assert torch.isfinite(got).all(), (
        "logits of magnitude 1e4 gave inf/nan: use F.log_softmax, never log(softmax(x)) "
        f"(softmax underflows to 0), got {got[:6].tolist()}"
    )
    want = F.cross_entropy(logits, target, label_smoothing=0.1, reduction="none")
    _close(got, want, "cross_entropy on logits of magnitude 1e4", atol=1e-2)


@pytest.mark.clause("gradients")
def test_cross_entropy_gradient_matches_torch(impl: ModuleType) -> None:
    logits, target = _batch(6)
    weight = _weights(6)
    mine = logits.clone().requires_grad_(True)
    theirs = logits.clone().requires_grad_(True)
    impl.cross_entropy(mine, target, weight=weight, label_smoothing=0.1).backward()
    F.cross_entropy(theirs, target, weight=weight, label_smoothing=0.1).backward()
    assert mine.grad is not None, "no gradient reached the logits: do not detach anything"
    _close(mine.grad, theirs.grad, "gradient of cross_entropy with respect to the logits")


@pytest.mark.clause("reduction-invalid")
def test_cross_entropy_rejects_unknown_reduction(impl: ModuleType) -> None:
    logits, target = _batch(7)
    with pytest.raises(ValueError):
        impl.cross_entropy(logits, target, reduction="average")


# -- focal loss --------------------------------------------------------------------------------
@pytest.mark.clause("focal-gamma-0")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_focal_loss_with_gamma_0_is_cross_entropy(impl: ModuleType, reduction: str) -> None:
    logits, target = _batch(8)
    got = impl.focal_loss(logits, target, gamma=0.0, reduction=reduction)
    want = F.cross_entropy(logits, target, reduction=reduction)
    _close(got, want, f"focal_loss(gamma=0, reduction={reduction!r}) must equal cross-entropy")


@pytest.mark.clause("focal-formula")
def test_focal_loss_hand_computed(impl: ModuleType) -> None:
    # logits [0, ln 3]: p = [1/4, 3/4]. Target 1: (1/4)^2 * ln(4/3); target 0: (3/4)^2 * ln 4.
    logits = torch.tensor([[0.0, math.log(3.0)], [0.0, math.log(3.0)]])
    target = torch.tensor([1, 0])
    want = torch.tensor([0.25**2 * math.log(4 / 3), 0.75**2 * math.log(4.0)])
    got = impl.focal_loss(logits, target, gamma=2.0, reduction="none")
    _close(
        got,
        want,
        "focal_loss(gamma=2) of logits [0, ln 3] (p = [1/4, 3/4]) for targets [1, 0]: expected "
        "(1 - p_t)^2 * -ln p_t = [(1/4)^2 ln(4/3), (3/4)^2 ln 4]",
    )
    weighted = impl.focal_loss(
        logits, target, gamma=2.0, alpha=torch.tensor([0.2, 0.8]), reduction="none"
    )
    _close(
        weighted,
        want * torch.tensor([0.8, 0.2]),
        "focal_loss(gamma=2, alpha=[0.2, 0.8]): sample i is scaled by alpha[y_i]",
    )


@pytest.mark.clause("focal-binary", "focal-mean")
@pytest.mark.parametrize("gamma", [0.5, 2.0, 3.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_focal_loss_binary_matches_torchvision(
    impl: ModuleType, gamma: float, reduction: str
) -> None:
    g = torch.Generator().manual_seed(9)
    z = torch.randn(32, generator=g) * 2
    y = torch.randint(0, 2, (32,), generator=g)
    a = 0.25
    logits = torch.stack([torch.zeros_like(z), z], dim=1)  # softmax([0, z])[1] == sigmoid(z)
    got = impl.focal_loss(
        logits, y, gamma=gamma, alpha=torch.tensor([1 - a, a]), reduction=reduction
    )
    want = sigmoid_focal_loss(z, y.float(), alpha=a, gamma=gamma, reduction=reduction)
    _close(
        got,
        want,
        f"focal_loss of two-class logits [0, z] with alpha=[0.75, 0.25], gamma={gamma}, "
        f"reduction={reduction!r} should equal torchvision.ops.sigmoid_focal_loss(z, y, "
        "alpha=0.25): the modulating factor is (1 - p_t) ** gamma and 'mean' is over N",
    )


@pytest.mark.clause("stable")
def test_focal_loss_stable_for_huge_logits(impl: ModuleType) -> None:
    logits, target = _batch(10, scale=1e4)
    got = impl.focal_loss(logits, target, gamma=2.0, reduction="none")
    assert torch.isfinite(got).all(), (
        f"focal loss on logits of magnitude 1e4 gave inf/nan: {got[:6].tolist()}; "
        "take p_t = exp(logp_t) from F.log_softmax"
    )
    p_t = F.softmax(logits.double(), 1).gather(1, target[:, None]).squeeze(1)
    want = -((1 - p_t) ** 2) * F.log_softmax(logits.double(), 1).gather(1, target[:, None])[:, 0]
    _close(got, want.float(), "focal_loss on logits of magnitude 1e4", atol=1e-2)


# -- MSE ---------------------------------------------------------------------------------------
@pytest.mark.clause("mse", "reduction")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_torch(impl: ModuleType, reduction: str) -> None:
    g = torch.Generator().manual_seed(11)
    prediction, target = torch.randn(8, 3, generator=g), torch.randn(8, 3, generator=g)
    got = impl.mse_loss(prediction, target, reduction=reduction)
    want = F.mse_loss(prediction, target, reduction=reduction)
    _close(
        got,
        want,
        f"mse_loss(reduction={reduction!r}) of (8, 3) tensors: 'mean' averages all 24 "
        "elements, not only the 8 rows",
    )


@pytest.mark.clause("mse-shapes")
def test_mse_rejects_mismatched_shapes(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.mse_loss(torch.zeros(8), torch.zeros(8, 1))


# -- differential: the reference on the same inputs, non-default parameters included -------------
def _loss_and_grad(fn: Any, x: torch.Tensor, *args: Any, **kwargs: Any) -> tuple:
    leaf = x.clone().requires_grad_()
    loss = fn(leaf, *args, **kwargs)
    weights = torch.linspace(0.5, 1.5, loss.numel(), dtype=loss.dtype).reshape(loss.shape)
    (loss * weights).sum().backward()
    return loss.detach(), leaf.grad


def _tolerance(x: torch.Tensor, scale: float) -> Any:
    """Rounding of log_softmax and of the sums: a few eps of the dtype times the size of the
    logits (x - max - log(sum) and x - logsumexp(x) differ by that), times the weights and N."""
    eps = torch.finfo(x.dtype).eps
    size = 1.0 + (float(x.abs().max()) if x.numel() else 0.0)
    atol = 64 * eps * size * scale

    def compare(got: Any, want: Any) -> str | None:
        for what, g, w in zip(("loss", "gradient"), got, want, strict=True):
            if not isinstance(g, torch.Tensor):
                return f"the {what} should be a tensor, got {diff.describe(g)}"
            if g.shape != w.shape or g.dtype != w.dtype:
                return (
                    f"the {what} should have shape {tuple(w.shape)} and dtype {w.dtype}, got "
                    f"{tuple(g.shape)} {g.dtype}"
                )
            if problem := diff.same(g.numpy(), w.numpy(), rtol=64 * eps, atol=atol):
                return f"the {what}: {problem}"
        return None

    return compare


@st.composite
def classification(draw: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    n, k = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    scale = draw(st.sampled_from([0.0, 1.0, 30.0, 1e4]))
    seed = draw(st.integers(0, 2**16))
    g = torch.Generator().manual_seed(seed)
    logits = (torch.randn(n, k, generator=g, dtype=torch.float64) * scale).to(dtype)
    target = torch.tensor(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    weight = (torch.rand(k, generator=g, dtype=torch.float64) * 3 + 0.1).to(dtype)
    return logits, target, weight


@pytest.mark.clause("ce-formula", "ce-smoothing", "ce-ignore", "ce-weighted-mean", "stable")
@pytest.mark.clause("ce-smoothing-range", "reduction", "reduction-invalid", "gradients")
@given(
    case=classification(),
    weighted=st.booleans(),
    smoothing=st.sampled_from([0.0, 0.1, 0.5, 1.0, -0.1, 1.5]),
    reduction=st.sampled_from(["mean", "sum", "none", "average"]),
    ignore=st.sampled_from([None, -100, 0, 2]),
    data=st.data(),
)
def test_cross_entropy_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    case: tuple,
    weighted: bool,
    smoothing: float,
    reduction: str,
    ignore: int | None,
    data: Any,
) -> None:
    logits, target, weight = case
    kwargs: dict[str, Any] = {"label_smoothing": smoothing, "reduction": reduction}
    if weighted:
        kwargs["weight"] = weight
    if ignore is not None:
        kwargs["ignore_index"] = ignore
        hidden = data.draw(st.lists(st.booleans(), min_size=len(target), max_size=len(target)))
        target = torch.where(torch.tensor(hidden), torch.tensor(ignore), target)
    # every sample ignored: the mean is 0 / 0, which the spec does not define
    assume(reduction != "mean" or bool((target != kwargs.get("ignore_index", -100)).any()))
    want = diff.call(_loss_and_grad, reference.cross_entropy, logits, target, **kwargs)
    got = diff.call(_loss_and_grad, impl.cross_entropy, logits, target, **kwargs)
    _same_outcome(got, want, logits, len(target) * float(weight.max()), f"cross_entropy({kwargs})")


def _same_outcome(got: Any, want: Any, logits: torch.Tensor, scale: float, what: str) -> None:
    if isinstance(got.error, NotImplementedError):
        raise got.error
    if want.raised:
        assert isinstance(got.error, type(want.error)), (
            f"{what} should raise {type(want.error).__name__} ({want.error}), got "
            f"{diff.describe(got.error if got.raised else got.value)}"
        )
        return
    assert not got.raised, f"{what} raised {diff.describe(got.error)}"
    problem = _tolerance(logits, scale)(got.value, want.value)
    assert problem is None, f"{what} on logits {diff.describe(logits.numpy())}: {problem}"


@pytest.mark.clause("focal-formula", "focal-gamma-0", "focal-mean", "stable", "reduction")
@pytest.mark.clause("reduction-invalid", "gradients")
@given(
    case=classification(),
    gamma=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]),
    with_alpha=st.booleans(),
    reduction=st.sampled_from(["mean", "sum", "none", "avg"]),
)
def test_focal_loss_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    case: tuple,
    gamma: float,
    with_alpha: bool,
    reduction: str,
) -> None:
    logits, target, weight = case
    kwargs: dict[str, Any] = {"gamma": gamma, "reduction": reduction}
    if with_alpha:
        kwargs["alpha"] = weight
    want = diff.call(_loss_and_grad, reference.focal_loss, logits, target, **kwargs)
    got = diff.call(_loss_and_grad, impl.focal_loss, logits, target, **kwargs)
    _same_outcome(got, want, logits, len(target) * float(weight.max()), f"focal_loss({kwargs})")


@pytest.mark.clause("mse", "mse-shapes", "reduction", "reduction-invalid", "gradients")
@given(
    shape=st.sampled_from([(0,), (1,), (5,), (3, 2), (2, 1, 3)]),
    other=st.sampled_from([None, (5, 1), (1, 5), (2,), (3, 1)]),
    reduction=st.sampled_from(["mean", "sum", "none", "total"]),
    dtype=st.sampled_from([torch.float32, torch.float64]),
    seed=st.integers(0, 2**16),
)
def test_mse_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    shape: tuple[int, ...],
    other: tuple[int, ...] | None,
    reduction: str,
    dtype: torch.dtype,
    seed: int,
) -> None:
    g = torch.Generator().manual_seed(seed)
    prediction = (torch.randn(shape, generator=g, dtype=torch.float64) * 100).to(dtype)
    target = (torch.randn(other or shape, generator=g, dtype=torch.float64) * 100).to(dtype)
    want = diff.call(_loss_and_grad, reference.mse_loss, prediction, target, reduction=reduction)
    got = diff.call(_loss_and_grad, impl.mse_loss, prediction, target, reduction=reduction)
    scale = 1.0 + 4e4 * max(1, prediction.numel())
    _same_outcome(got, want, prediction, scale, f"mse_loss(shapes {shape} and {other or shape})")


@pytest.mark.clause("no-ready-made")
def test_no_ready_made_losses(impl: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(
            "write the formula: F.cross_entropy, F.nll_loss and F.mse_loss are not allowed"
        )

    logits, target = _batch(8)
    for name in ("cross_entropy", "nll_loss", "mse_loss"):
        monkeypatch.setattr(F, name, forbidden)
    impl.cross_entropy(logits, target, weight=_weights(8), label_smoothing=0.1)
    impl.focal_loss(logits, target)
    impl.mse_loss(logits, logits.flip(0))
