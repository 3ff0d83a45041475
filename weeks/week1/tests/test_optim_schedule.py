"""Tests of week1.optim_schedule: weight-decay groups, optimisers, warm-up + cosine schedule.

Oracles: ``timm.optim.param_groups_weight_decay`` for the groups, ``torch.optim.AdamW`` / ``SGD``
for the optimiser steps, torch's ``SequentialLR(LinearLR, CosineAnnealingLR)`` for the schedule,
and hand-computed values. Run: ``pytest weeks/week1/tests/test_optim_schedule.py``.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from timm.optim import param_groups_weight_decay as timm_groups
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

from grader import differential as diff


class _Net(nn.Module):
    """Conv + BatchNorm + LayerNorm + Linear and a 3-D token: every kind of parameter."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.proj = nn.Conv2d(8, 8, 1, bias=False)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 8))
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.proj(torch.relu(self.bn(self.conv(x)))).mean((2, 3))
        return self.head(self.norm(x + self.cls_token[:, 0]))


def _net(seed: int = 0) -> _Net:
    torch.manual_seed(seed)
    return _Net()


def _names(model: nn.Module, params: list[torch.Tensor]) -> list[str]:
    by_id = {id(p): name for name, p in model.named_parameters()}
    return [by_id.get(id(p), "<not a parameter of the model>") for p in params]


def _as_names(model: nn.Module, groups: list[dict]) -> list[tuple[float, list[str]]]:
    return [(float(g["weight_decay"]), _names(model, list(g["params"]))) for g in groups]


# -- parameter groups --------------------------------------------------------------------------
@pytest.mark.clause("groups-no-decay", "groups-decay", "groups-layout")
def test_param_groups_match_timm(impl: ModuleType) -> None:
    model = _net()
    got = _as_names(model, impl.param_groups_weight_decay(model, 0.05, ("cls_token",)))
    want = _as_names(model, timm_groups(model, 0.05, no_weight_decay_list=("cls_token",)))
    assert got == want, (
        "param_groups_weight_decay(model, 0.05, ('cls_token',)) should give [no-decay group, "
        f"decay group] like timm:\n  expected {want}\n  got      {got}\n"
        "No decay for ndim <= 1 (biases, BatchNorm/LayerNorm weights), names ending in '.bias' "
        "and names listed in no_weight_decay."
    )


@pytest.mark.clause("groups-no-decay")
def test_param_groups_norm_weights_do_not_decay(impl: ModuleType) -> None:
    model = _net()
    groups = _as_names(model, impl.param_groups_weight_decay(model, 0.1))
    decayed = [name for wd, names in groups if wd > 0 for name in names]
    for name in ("bn.weight", "norm.weight", "conv.bias", "bn.bias", "head.bias"):
        assert name not in decayed, (
            f"{name} is in the weight-decay group ({decayed}): biases and normalisation "
            "weights (ndim <= 1) must not decay"
        )
    assert sorted(decayed) == ["cls_token", "conv.weight", "head.weight", "proj.weight"], (
        "without no_weight_decay, the decayed parameters of the test net should be "
        f"cls_token, conv.weight, head.weight, proj.weight; got {sorted(decayed)}"
    )


@pytest.mark.clause("groups-frozen")
def test_param_groups_skip_frozen_parameters(impl: ModuleType) -> None:
    model = _net()
    for p in (*model.conv.parameters(), *model.bn.parameters()):
        p.requires_grad_(False)
    got = _as_names(model, impl.param_groups_weight_decay(model, 0.05))
    want = _as_names(model, timm_groups(model, 0.05))
    assert got == want, (
        f"with conv and bn frozen, expected {want}, got {got}: skip parameters whose "
        "requires_grad is False"
    )


# -- optimisers --------------------------------------------------------------------------------
@pytest.mark.clause("decoupled-decay", "adamw")
def test_adamw_step_with_zero_gradient_only_decays_weights(impl: ModuleType) -> None:
    model = _net()
    lr, wd = 0.1, 0.5
    opt = impl.build_optimizer(model, "adamw", lr=lr, weight_decay=wd)
    assert isinstance(opt, torch.optim.AdamW), (
        f"build_optimizer(name='adamw') should return torch.optim.AdamW, got {type(opt).__name__}"
    )
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()
    for name, p in model.named_parameters():
        factor = 1.0 if before[name].ndim <= 1 or name.endswith(".bias") else 1 - lr * wd
        want = before[name] * factor
        assert torch.allclose(p.detach(), want, atol=1e-6), (
            f"one AdamW step (lr={lr}, weight_decay={wd}) with zero gradients should multiply "
            f"{name} by {factor:g} (decoupled decay {'off' if factor == 1 else 'on'} for it); "
            f"it changed from {before[name].flatten()[:3].tolist()} to "
            f"{p.detach().flatten()[:3].tolist()}"
        )


@pytest.mark.clause("adamw", "sgd")
@pytest.mark.parametrize("name", ["adamw", "sgd"])
def test_optimizer_steps_match_torch(impl: ModuleType, name: str) -> None:
    mine, theirs = _net(1), _net(1)
    opt = impl.build_optimizer(mine, name, lr=0.05, weight_decay=0.1, momentum=0.8)
    groups = timm_groups(theirs, 0.1)
    ref = (
        torch.optim.AdamW(groups, lr=0.05, weight_decay=0.1)
        if name == "adamw"
        else torch.optim.SGD(groups, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)
    )
    g = torch.Generator().manual_seed(2)
    for _ in range(3):
        x = torch.randn(4, 3, 8, 8, generator=g)
        for model, optimizer in ((mine, opt), (theirs, ref)):
            optimizer.zero_grad()
            model(x).square().mean().backward()
            optimizer.step()
    for (pname, a), b in zip(mine.named_parameters(), theirs.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-6), (
            f"after 3 steps of build_optimizer(name={name!r}, lr=0.05, weight_decay=0.1, "
            f"momentum=0.8), {pname} differs from torch.optim."
            f"{'AdamW' if name == 'adamw' else 'SGD(nesterov=True)'} over timm's groups: "
            f"{a.flatten()[:3].tolist()} vs {b.flatten()[:3].tolist()}"
        )


@pytest.mark.clause("sgd")
def test_sgd_uses_nesterov_momentum(impl: ModuleType) -> None:
    opt = impl.build_optimizer(_net(), "sgd", lr=0.1, momentum=0.7)
    assert isinstance(opt, torch.optim.SGD), f"'sgd' should give torch.optim.SGD, got {opt!r}"
    got = (opt.defaults.get("momentum"), opt.defaults.get("nesterov"))
    assert got == (0.7, True), f"SGD should have momentum=0.7 and nesterov=True, got {got}"


@pytest.mark.clause("optimizer-name")
def test_build_optimizer_rejects_unknown_name(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.build_optimizer(_net(), "rmsprop")


# -- schedule ----------------------------------------------------------------------------------
@pytest.mark.clause("warmup", "cosine", "after-total")
def test_warmup_cosine_key_steps(impl: ModuleType) -> None:
    cases = {0: 0.25, 1: 0.5, 3: 1.0, 4: 1.0, 8: 0.55, 12: 0.1, 13: 0.1, 100: 0.1}
    for step, want in cases.items():
        got = impl.warmup_cosine(step, 4, 12, 0.1)
        assert math.isclose(got, want, abs_tol=1e-9), (
            f"warmup_cosine(step={step}, warmup_steps=4, total_steps=12, floor=0.1) should be "
            f"{want}, got {got}. Warm-up: (step + 1) / warmup_steps; cosine from 1 at step 4 to "
            "the floor at step 12; the floor afterwards."
        )


@pytest.mark.clause("matches-torch", "scheduler")
@pytest.mark.parametrize(("warmup", "total", "floor"), [(5, 30, 0.1), (3, 20, 0.0), (1, 9, 0.5)])
def test_scheduler_matches_sequential_lr(
    impl: ModuleType, warmup: int, total: int, floor: float
) -> None:
    base = [0.4, 0.02]
    params = [nn.Parameter(torch.zeros(1)) for _ in base]
    mine = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, base, strict=True)])
    scheduler = impl.warmup_cosine_scheduler(mine, warmup, total, floor)
    assert isinstance(scheduler, torch.optim.lr_scheduler.LambdaLR), (
        f"warmup_cosine_scheduler should return a LambdaLR, got {type(scheduler).__name__}"
    )
    references = []  # one optimiser per base lr: eta_min = floor * lr is per scheduler
    for p, lr in zip(params, base, strict=True):
        opt = torch.optim.SGD([p], lr=lr)
        linear = LinearLR(opt, 1 / warmup, 1.0, total_iters=warmup - 1)
        cosine = CosineAnnealingLR(opt, T_max=total - warmup, eta_min=floor * lr)
        references.append((opt, SequentialLR(opt, [linear, cosine], milestones=[warmup])))
    for step in range(total + 1):
        got = [g["lr"] for g in mine.param_groups]
        want = [opt.param_groups[0]["lr"] for opt, _ in references]
        close = all(
            math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(got, want, strict=True)
        )
        assert close, (
            f"warm-up {warmup}, total {total}, floor {floor}, base lrs {base}: at step {step} "
            f"the lrs should be {want} (SequentialLR(LinearLR, CosineAnnealingLR)), got {got}"
        )
        mine.step()
        scheduler.step()
        for opt, reference in references:
            opt.step()
            reference.step()


@pytest.mark.clause("schedule-validation", "scheduler-validation")
@pytest.mark.parametrize(("warmup", "total", "floor"), [(5, 5, 0.0), (6, 5, 0.0), (2, 10, 1.5)])
def test_warmup_cosine_rejects_bad_arguments(
    impl: ModuleType, warmup: int, total: int, floor: float
) -> None:
    with pytest.raises(ValueError):
        impl.warmup_cosine(0, warmup, total, floor)
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError):
        impl.warmup_cosine_scheduler(opt, warmup, total, floor)


# -- differential: the reference on the same inputs, edges and non-default values included --------
@pytest.mark.clause("warmup", "cosine", "after-total", "schedule-validation")
@given(
    step=st.integers(0, 16),
    warmup=st.integers(-1, 7),
    total=st.integers(-1, 12),
    floor=st.sampled_from([0.0, 0.1, 0.5, 1.0, -0.1, 1.5]),
)
def test_warmup_cosine_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, step: int, warmup: int, total: int, floor: float
) -> None:
    # 0.5 * (1 + cos) and cos(.) ** 2 of the half angle differ by a few eps: atol 1e-12
    got = diff.assert_same(
        impl.warmup_cosine, reference.warmup_cosine, step, warmup, total, floor, atol=1e-12
    )
    if got is not None:
        assert isinstance(impl.warmup_cosine(step, warmup, total, floor), float), "a float"


def _lrs(module: ModuleType, warmup: int, total: int, floor: float) -> list[list[float]]:
    a, b = nn.Parameter(torch.zeros(2)), nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([{"params": [a], "lr": 0.2}, {"params": [b], "lr": 0.05}])
    scheduler = module.warmup_cosine_scheduler(optimizer, warmup, total, floor)
    out = []
    for _ in range(total + 3):
        out.append([g["lr"] for g in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return out


def _same_call(got: Any, want: Any, what: str, **tolerance: float) -> None:
    if isinstance(got.error, NotImplementedError):
        raise got.error
    if want.raised:
        assert isinstance(got.error, ValueError), (
            f"{what} should raise ValueError at once, got "
            f"{diff.describe(got.error if got.raised else got.value)}"
        )
        return
    assert not got.raised, f"{what} raised {diff.describe(got.error)}"
    problem = diff.same(got.value, want.value, **tolerance)
    assert problem is None, f"{what}: {problem}"


@pytest.mark.clause("scheduler", "scheduler-validation")
@given(
    warmup=st.integers(-1, 4),
    total=st.integers(-1, 8),
    floor=st.sampled_from([0.0, 0.25, 1.0, 2.0]),
)
def test_scheduler_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, warmup: int, total: int, floor: float
) -> None:
    want = diff.call(_lrs, reference, warmup, total, floor)
    got = diff.call(_lrs, impl, warmup, total, floor)
    what = (
        f"warmup_cosine_scheduler(opt, {warmup}, {total}, {floor}), the learning rates of two "
        "groups (base 0.2 and 0.05) step by step"
    )
    _same_call(got, want, what, rtol=1e-12, atol=1e-12)


class _Frozen(nn.Module):
    def __init__(self, freeze: tuple[str, ...]) -> None:
        super().__init__()
        self.embed = nn.Embedding(5, 4)
        self.pos_embed = nn.Parameter(torch.zeros(1, 3, 4))
        self.block = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.Linear(4, 2, bias=False))
        self.scale = nn.Parameter(torch.ones(()))
        for name, p in self.named_parameters():
            p.requires_grad_(name not in freeze)


PARAM_NAMES = [
    "embed.weight", "pos_embed", "block.0.weight", "block.0.bias", "block.1.weight",
    "block.1.bias", "block.2.weight", "scale", "not_a_parameter", "embed", "block",
]  # fmt: skip


@pytest.mark.clause("groups-frozen", "groups-no-decay", "groups-decay", "groups-layout")
@given(
    freeze=st.lists(st.sampled_from(PARAM_NAMES), max_size=9).map(tuple),
    skip=st.lists(st.sampled_from(PARAM_NAMES), max_size=3),
    weight_decay=st.sampled_from([0.0, 0.05, 0.3]),
    container=st.sampled_from([list, tuple, set]),
)
@example(  # nothing left without decay: that group is left out
    freeze=("block.0.bias", "block.1.weight", "block.1.bias", "scale"),
    skip=[],
    weight_decay=0.05,
    container=list,
)
@example(freeze=tuple(PARAM_NAMES), skip=["pos_embed"], weight_decay=0.05, container=set)
def test_param_groups_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    freeze: tuple[str, ...],
    skip: list[str],
    weight_decay: float,
    container: type,
) -> None:
    model = _Frozen(freeze)

    def groups(module: ModuleType) -> list[tuple[float, list[str]]]:
        return _as_names(
            model, module.param_groups_weight_decay(model, weight_decay, container(skip))
        )

    want, got = groups(reference), groups(impl)
    assert got == want, (
        f"param_groups_weight_decay(weight_decay={weight_decay}, no_weight_decay={skip}) with "
        f"{sorted(set(freeze))} frozen:\n  expected {want}\n  got      {got}"
    )


def _settings(module: ModuleType, name: str, lr: float, wd: float, momentum: float) -> Any:
    model = _net()
    optimizer = module.build_optimizer(model, name, lr, wd, momentum, ("cls_token",))
    keys = ("lr", "weight_decay", "momentum", "nesterov", "betas", "eps", "dampening")
    return type(optimizer).__name__, [
        ({k: g[k] for k in keys if k in g}, _names(model, g["params"]))
        for g in optimizer.param_groups
    ]


@pytest.mark.clause("adamw", "sgd", "optimizer-name")
@pytest.mark.parametrize("name", ["adamw", "sgd", "adam", "SGD", "AdamW", ""])
@pytest.mark.parametrize(("lr", "wd", "momentum"), [(1e-3, 0.05, 0.9), (0.3, 0.0, 0.5)])
def test_build_optimizer_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, lr: float, wd: float, momentum: float
) -> None:
    want = diff.call(_settings, reference, name, lr, wd, momentum)
    got = diff.call(_settings, impl, name, lr, wd, momentum)
    what = f"build_optimizer(name={name!r}, lr={lr}, weight_decay={wd}, momentum={momentum})"
    _same_call(got, want, what)
