"""Tests of week1.distillation: Hinton's loss and a distillation step with a frozen teacher.

Oracles: ``F.kl_div(..., log_target=True)`` and ``F.cross_entropy`` for the loss, the closed-form
gradient ``T * (softmax(s / T) - softmax(t / T)) / N``, ``scipy.special.rel_entr`` for the KL
direction, and a hand-written reference step for ``distill_step``.
Run: ``pytest weeks/week1/tests/test_distillation.py``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import rel_entr
from torch import nn

from grader import differential as diff
from rxvision.data import CLASS_NAMES, generate

K = 5


def _logits(seed: int, n: int = 16) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    student = torch.randn(n, K, generator=g) * 2
    teacher = torch.randn(n, K, generator=g) * 4
    return student, teacher, torch.randint(0, K, (n,), generator=g)


def _reference(s: torch.Tensor, t: torch.Tensor, y: torch.Tensor, T: float, alpha: float):
    soft = F.kl_div(
        F.log_softmax(s / T, -1), F.log_softmax(t / T, -1), reduction="batchmean", log_target=True
    )
    return alpha * T * T * soft + (1 - alpha) * F.cross_entropy(s, y)


# -- the loss ----------------------------------------------------------------------------------
@pytest.mark.clause("soft-kl", "both-scaled", "t-squared", "hard-ce", "total", "scalar")
@pytest.mark.parametrize(("T", "alpha"), [(1.0, 0.5), (4.0, 0.9), (2.5, 1.0), (8.0, 0.3)])
def test_loss_matches_reference(impl: ModuleType, T: float, alpha: float) -> None:
    s, t, y = _logits(0)
    got = impl.distillation_loss(s, t, y, temperature=T, alpha=alpha)
    want = _reference(s, t, y, T, alpha)
    assert isinstance(got, torch.Tensor) and got.ndim == 0, "return a scalar tensor"
    assert torch.allclose(got, want, atol=1e-5), (
        f"distillation_loss(T={T}, alpha={alpha}): expected {want.item():.5f} = alpha * T**2 * "
        "KL(softmax(t/T) || softmax(s/T)) (batchmean) + (1 - alpha) * CE(s, y), "
        f"got {float(got):.5f}"
    )


@pytest.mark.clause("total", "hard-ce")
def test_alpha_zero_is_cross_entropy(impl: ModuleType) -> None:
    s, t, y = _logits(1)
    got = impl.distillation_loss(s, t, y, temperature=4.0, alpha=0.0)
    want = F.cross_entropy(s, y)
    assert torch.allclose(got, want, atol=1e-6), (
        f"alpha=0 must give plain F.cross_entropy(student_logits, targets) = {want.item():.5f} "
        f"(on the unscaled logits), got {float(got):.5f}"
    )


@pytest.mark.clause("soft-kl", "t-squared")
def test_soft_term_is_kl_teacher_to_student(impl: ModuleType) -> None:
    s, t, y = _logits(2)
    T = 3.0
    p_t = F.softmax(t.double() / T, -1).numpy()
    p_s = F.softmax(s.double() / T, -1).numpy()
    forward = float(rel_entr(p_t, p_s).sum(1).mean())  # KL(teacher || student)
    backward = float(rel_entr(p_s, p_t).sum(1).mean())  # KL(student || teacher)
    got = float(impl.distillation_loss(s, t, y, temperature=T, alpha=1.0)) / T**2
    assert abs(got - forward) < 1e-5, (
        f"with alpha=1 and T={T}, loss / T**2 should be KL(p_teacher || p_student) = "
        f"{forward:.5f} (the teacher is the target distribution); got {got:.5f}"
        + (
            " which is KL(p_student || p_teacher): swap the arguments of F.kl_div"
            if abs(got - backward) < 1e-5
            else ". Check the T**2 factor and that both logits are divided by T."
        )
    )


@pytest.mark.clause("t-squared", "both-scaled")
@pytest.mark.parametrize("T", [1.0, 4.0])
def test_gradient_of_soft_term(impl: ModuleType, T: float) -> None:
    s, t, y = _logits(3)
    s = s.clone().requires_grad_(True)
    impl.distillation_loss(s, t, y, temperature=T, alpha=1.0).backward()
    want = T * (F.softmax(s.detach() / T, -1) - F.softmax(t / T, -1)) / len(s)
    assert s.grad is not None, "no gradient reached the student logits"
    assert torch.allclose(s.grad, want, atol=1e-6), (
        f"the gradient of alpha * T**2 * KL (alpha=1, T={T}) with respect to the student logits "
        "should be T * (softmax(s/T) - softmax(t/T)) / N; it is off by up to "
        f"{(s.grad - want).abs().max():.2e}. Use log_softmax for the student (not softmax) and "
        "keep the T**2 factor."
    )


@pytest.mark.clause("teacher-detached")
def test_no_gradient_into_teacher_logits(impl: ModuleType) -> None:
    s, t, y = _logits(4)
    s, t = s.requires_grad_(True), t.clone().requires_grad_(True)
    impl.distillation_loss(s, t, y, temperature=2.0, alpha=0.7).backward()
    assert t.grad is None or not t.grad.any(), (
        "a gradient flowed into the teacher's logits: they are targets, detach them inside "
        "distillation_loss"
    )


@pytest.mark.clause("temperature-range", "alpha-range")
@pytest.mark.parametrize(("T", "alpha"), [(0.0, 0.5), (-1.0, 0.5), (2.0, 1.5), (2.0, -0.1)])
def test_rejects_bad_arguments(impl: ModuleType, T: float, alpha: float) -> None:
    s, t, y = _logits(5)
    with pytest.raises(ValueError):
        impl.distillation_loss(s, t, y, temperature=T, alpha=alpha)


# -- the step ----------------------------------------------------------------------------------
class _Spy(nn.Module):
    """A teacher with BatchNorm and dropout that records how it was called."""

    def __init__(self, in_features: int, classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(in_features, classes)
        self.bn = nn.BatchNorm1d(classes)
        self.drop = nn.Dropout(0.5)
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.drop(self.bn(self.fc(x.flatten(1))))


class _IdleOptimizer:
    """An optimiser that changes nothing, for the probes: the first ``torch.optim`` optimiser a
    process builds imports ``torch._dynamo``, which takes seconds."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        pass

    def step(self, closure: Callable[[], float] | None = None) -> None:
        return None


def _probe_step(impl: ModuleType, temperature: float, alpha: float) -> None:
    """``distill_step`` on the small spy setup with an idle optimiser."""
    diff.probe(
        lambda: impl.distill_step(
            *_setup(0), _IdleOptimizer(), temperature=temperature, alpha=alpha
        )
    )


def _setup(seed: int) -> tuple[nn.Module, _Spy, torch.Tensor, torch.Tensor]:
    torch.manual_seed(seed)
    student = nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.Dropout(0.0), nn.Linear(8, K))
    teacher = _Spy(12, K).train()
    with torch.no_grad():
        teacher.bn.running_mean.uniform_(-1, 1)
        teacher.bn.running_var.uniform_(0.5, 2)
    g = torch.Generator().manual_seed(seed)
    return student, teacher, torch.randn(10, 3, 2, 2, generator=g), torch.arange(10) % K


@pytest.mark.clause("teacher-frozen", "step-float")
def test_step_runs_teacher_frozen(impl: ModuleType) -> None:
    _probe_step(impl, temperature=2.0, alpha=0.5)
    student, teacher, x, y = _setup(0)
    teacher_before = copy.deepcopy(teacher.state_dict())
    optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
    loss = impl.distill_step(student, teacher, x, y, optimizer, temperature=2.0, alpha=0.5)
    assert isinstance(loss, float), f"distill_step should return loss.item(), got {loss!r}"
    assert teacher.calls, "distill_step never called the teacher"
    training, grad_enabled = teacher.calls[0]
    assert not training, (
        "the teacher ran in train mode: call teacher.eval() first (its BatchNorm would use batch "
        "statistics and update its running averages, its dropout would be on)"
    )
    assert not grad_enabled, (
        "the teacher's forward pass ran with gradients enabled: wrap it in torch.no_grad()"
    )
    grads = [name for name, p in teacher.named_parameters() if p.grad is not None]
    assert not grads, f"teacher parameters received gradients: {grads}"
    for key, value in teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), (
            f"the teacher's {key} changed during distill_step: the teacher is frozen"
        )


@pytest.mark.clause("update", "student-loss")
def test_step_matches_reference_update(impl: ModuleType) -> None:
    _probe_step(impl, temperature=3.0, alpha=0.8)
    student, teacher, x, y = _setup(1)
    reference = copy.deepcopy(student)
    for p in student.parameters():  # stale gradients from a previous step: must be cleared
        p.grad = torch.ones_like(p)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.5)
    student.eval()
    loss = impl.distill_step(student, teacher, x, y, optimizer, temperature=3.0, alpha=0.8)

    teacher.eval()
    with torch.no_grad():
        t = teacher(x)
    reference.train()
    want_loss = _reference(reference(x), t, y, 3.0, 0.8)
    want_loss.backward()
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.5 * p.grad
    assert abs(loss - want_loss.item()) < 1e-5, (
        f"distill_step returned {loss:.5f}, expected the loss of the step {want_loss.item():.5f}"
    )
    for (name, a), b in zip(student.named_parameters(), reference.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-6), (
            f"after one SGD step the student's {name} differs from the reference step: zero the "
            "old gradients, backward the distillation loss, step (student in train mode)"
        )
    assert student.training, "leave the student in train mode"


def _load_pills() -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = generate("studio", samples_per_class=4, size=32, seed=0, subset="train")
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).float() / 255
    return x, torch.from_numpy(labels)


@pytest.fixture(scope="module")
def pills() -> Callable[[], tuple[torch.Tensor, torch.Tensor]]:
    """``pills()``: 104 studio pills and their labels, generated on the first call."""
    return functools.cache(_load_pills)


class _MeanTeacher(nn.Module):
    """A teacher without training: nearest class mean on 8x8 pooled pixels, as a linear layer."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(8)
        feats = self.pool(x).flatten(1)
        mu = torch.stack([feats[y == k].mean(0) for k in range(len(CLASS_NAMES))])
        self.fc = nn.Linear(feats.shape[1], len(mu))
        with torch.no_grad():
            self.fc.weight.copy_(20 * mu)
            self.fc.bias.copy_(-10 * (mu**2).sum(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(x).flatten(1))


@pytest.mark.clause("update")
def test_student_learns_from_teacher_on_pills(
    impl: ModuleType, pills: Callable[[], tuple[torch.Tensor, torch.Tensor]]
) -> None:
    _probe_step(impl, temperature=2.0, alpha=1.0)
    x, y = pills()
    teacher = _MeanTeacher(x, y)
    with torch.no_grad():
        teacher_top1 = teacher(x).argmax(1)
    torch.manual_seed(0)
    student = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(4),
        nn.Flatten(),
        nn.Linear(128, len(CLASS_NAMES)),
    )
    optimizer = torch.optim.Adam(student.parameters(), lr=1e-2)
    wrong = torch.zeros_like(y)  # alpha=1: the labels must not matter, only the teacher
    losses = [
        impl.distill_step(student, teacher, x, wrong, optimizer, temperature=2.0, alpha=1.0)
        for _ in range(40)
    ]
    with torch.no_grad():
        agreement = (student(x).argmax(1) == teacher_top1).float().mean().item()
    assert losses[-1] < 0.5 * losses[0], (
        f"40 distillation steps (alpha=1, T=2, Adam lr 1e-2) should halve the loss on "
        f"{len(x)} synthetic pills: first {losses[0]:.3f}, last {losses[-1]:.3f}"
    )
    assert agreement > 0.6, (
        f"after 40 steps the student should agree with the teacher's top-1 on more than 60% of "
        f"the pills (chance is {1 / len(CLASS_NAMES):.0%}), it agrees on {agreement:.0%}"
    )


# -- differential tests against the reference (float64) ------------------------------------------
_EDGE_LOGITS = st.sampled_from([0.0, 1.0, -1.0, 300.0, -300.0])
_TEMPERATURES = st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.5, 4.0, 20.0])
_ALPHAS = st.sampled_from([-0.1, 0.0, 0.3, 0.9, 1.0, 1.5])


def _loss_and_grads(
    module: ModuleType, s: np.ndarray, t: np.ndarray, y: np.ndarray, T: float, alpha: float
) -> tuple[np.ndarray, np.ndarray, bool]:
    s_, t_ = torch.tensor(s, requires_grad=True), torch.tensor(t, requires_grad=True)
    loss = module.distillation_loss(s_, t_, torch.tensor(y), temperature=T, alpha=alpha)
    loss.backward()
    teacher_grad = t_.grad is not None and bool(t_.grad.any())
    return loss.detach().numpy(), s_.grad.numpy(), teacher_grad


@pytest.mark.clause(
    "soft-kl", "both-scaled", "t-squared", "hard-ce", "total", "teacher-detached",
    "temperature-range", "alpha-range", "scalar",
)  # fmt: skip
@given(data=st.data(), T=_TEMPERATURES, alpha=_ALPHAS)
@example(data=None, T=4.0, alpha=0.9)  # the defaults, on pinned extreme logits
def test_loss_and_gradient_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, data: st.DataObject | None, T: float, alpha: float
) -> None:
    if data is None:
        s = np.array([[300.0, -300.0, 0.0], [1.0, 1.0, 1.0]])
        t = np.array([[-300.0, 300.0, 0.0], [1.0, 1.0, 1.0]])
        y = np.array([1, 2])
    else:
        s = data.draw(diff.float_arrays(min_dims=2, max_dims=2, min_side=1, magnitude=300.0))
        t = data.draw(
            st.one_of(
                st.just(s.copy()),  # a student that already matches: the soft term is 0
                hnp.arrays(np.float64, s.shape, elements=st.floats(-300, 300) | _EDGE_LOGITS),
            )
        )
        y = data.draw(hnp.arrays(np.int64, s.shape[:1], elements=st.integers(0, s.shape[1] - 1)))
    # log-probabilities of logits up to |x| ~ 300 / T carry absolute rounding ~ eps * |x| / T;
    # the soft term is scaled by T**2 (its gradient by T): an atol of 1e-12 of that scale
    scale = 1.0 + float(np.abs(s).max() + np.abs(t).max())
    atol = 1e-12 * scale * max(T, 1.0) ** 2
    diff.assert_same(
        lambda: _loss_and_grads(impl, s, t, y, T, alpha),
        lambda: _loss_and_grads(reference, s, t, y, T, alpha),
        rtol=1e-9,
        atol=atol,
    )


def _step_summary(module: ModuleType, T: float, alpha: float, seed: int) -> dict[str, object]:
    student, teacher, x, y = _setup(seed)
    student, teacher, x = student.double().eval(), teacher.double(), x.double()
    for p in student.parameters():  # stale gradients: they must be cleared
        p.grad = torch.ones_like(p)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.5, momentum=0.5)
    loss = module.distill_step(student, teacher, x, y, optimizer, temperature=T, alpha=alpha)
    return {
        "loss": loss,
        "student weights": [p.detach().numpy().copy() for p in student.parameters()],
        "student.training": student.training,
        "teacher.training after the step": teacher.training,
        "teacher forward (training, grad_enabled)": teacher.calls,
        "teacher parameters with .grad": [
            n for n, p in teacher.named_parameters() if p.grad is not None
        ],
        "teacher state": {k: v.numpy().copy() for k, v in teacher.state_dict().items()},
    }


@pytest.mark.clause("teacher-frozen", "teacher-stays-eval", "student-loss", "update", "step-float")
@given(
    T=st.sampled_from([1.0, 2.5, 7.0]),
    alpha=st.sampled_from([0.0, 0.4, 1.0]),
    seed=st.integers(0, 3),
)
@example(T=7.0, alpha=0.4, seed=2)
def test_distill_step_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, T: float, alpha: float, seed: int
) -> None:
    _probe_step(impl, temperature=T, alpha=alpha)
    diff.assert_same(
        lambda: _step_summary(impl, T, alpha, seed),
        lambda: _step_summary(reference, T, alpha, seed),
        rtol=1e-9,
        atol=1e-12,
    )
