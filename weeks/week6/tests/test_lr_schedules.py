"""Tests of week6.lr_schedules: step, cosine with warm-up and one-cycle against PyTorch.

PyTorch's schedulers (``StepLR``, ``SequentialLR(LinearLR, CosineAnnealingLR)``, ``OneCycleLR``
with linear annealing) are stepped one step at a time and every learning rate is compared,
boundaries included. Run: ``pytest weeks/week6/tests/test_lr_schedules.py``.
"""

from __future__ import annotations

import math
import warnings
from types import ModuleType

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch.optim import lr_scheduler

from grader import differential as diff


class _LrHolder(torch.optim.Optimizer):
    """The one thing a scheduler needs from an optimizer: a param group with a learning rate.

    ``Optimizer.__init__`` is skipped on purpose: it imports ``torch._dynamo`` (several seconds)
    and these tests never update parameters.
    """

    def __init__(self, lr: float) -> None:  # deliberately no super().__init__()
        self.defaults = {"lr": lr}
        self.param_groups = [{"lr": lr, "params": []}]
        self.state = {}

    def step(self, closure: object = None) -> None:
        return None


def _torch_lrs(make_scheduler, lr: float, steps: int) -> list[float]:
    """The learning rate used at steps 0..steps-1 by the scheduler ``make_scheduler(opt)``."""
    opt = _LrHolder(lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation chatter of some torch versions
        scheduler = make_scheduler(opt)
        lrs = []
        for _ in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
    return lrs


def _compare(got_fn, want: list[float], what: str) -> None:
    for step, w in enumerate(want):
        got = got_fn(step)
        assert math.isclose(got, w, rel_tol=1e-9, abs_tol=1e-15), (
            f"{what}: at step {step} PyTorch uses lr={w:.10g}, you returned {got:.10g}"
        )


@pytest.mark.clause("step-lr")
# -- step_lr ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("step_size", "gamma"), [(7, 0.5), (1, 0.9), (10, 0.1)])
def test_step_lr_matches_torch(impl: ModuleType, step_size: int, gamma: float) -> None:
    want = _torch_lrs(lambda o: lr_scheduler.StepLR(o, step_size, gamma), 0.1, 35)
    _compare(
        lambda s: impl.step_lr(s, 0.1, step_size, gamma),
        want,
        f"step_lr(base_lr=0.1, step_size={step_size}, gamma={gamma})",
    )


@pytest.mark.clause("step-lr")
def test_step_lr_boundaries(impl: ModuleType) -> None:
    before, at = impl.step_lr(9, 1.0, 10, 0.5), impl.step_lr(10, 1.0, 10, 0.5)
    assert (before, at) == (1.0, 0.5), (
        "step_lr with step_size=10: steps 0..9 use base_lr and step 10 is the first decayed "
        f"step (gamma ** (step // step_size)); got lr(9)={before}, lr(10)={at}"
    )


# -- cosine_with_warmup ----------------------------------------------------------------------------
def _torch_warmup_cosine(warmup: int, total: int, min_lr: float):
    def make(opt: torch.optim.Optimizer) -> lr_scheduler.LRScheduler:
        cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=min_lr)
        if warmup == 0:
            return cosine
        linear = lr_scheduler.LinearLR(opt, 1.0 / warmup, 1.0, total_iters=warmup - 1)
        return lr_scheduler.SequentialLR(opt, [linear, cosine], milestones=[warmup])

    return make


@pytest.mark.clause("warmup", "cosine", "no-warmup")
@pytest.mark.parametrize(
    ("warmup", "total", "min_lr"), [(5, 20, 1e-3), (3, 50, 0.0), (10, 11, 0.01), (0, 30, 1e-4)]
)
def test_cosine_with_warmup_matches_torch(
    impl: ModuleType, warmup: int, total: int, min_lr: float
) -> None:
    want = _torch_lrs(_torch_warmup_cosine(warmup, total, min_lr), 0.1, total + 1)
    _compare(
        lambda s: impl.cosine_with_warmup(s, 0.1, warmup, total, min_lr),
        want,
        f"cosine_with_warmup(base_lr=0.1, warmup_steps={warmup}, total_steps={total}, "
        f"min_lr={min_lr})",
    )


@pytest.mark.clause("warmup")
def test_warmup_starts_at_base_over_warmup_and_peaks_on_time(impl: ModuleType) -> None:
    first = impl.cosine_with_warmup(0, 1.0, 4, 20)
    peak = impl.cosine_with_warmup(3, 1.0, 4, 20)
    assert math.isclose(first, 0.25), (
        f"with warmup_steps=4 the first step (0) uses base_lr * 1 / 4 = 0.25, got {first} "
        "(a rate of 0 at step 0 wastes an update: use (step + 1) / warmup_steps)"
    )
    assert math.isclose(peak, 1.0), f"step warmup_steps - 1 = 3 must reach base_lr 1.0, got {peak}"


@pytest.mark.clause("after-total")
def test_cosine_stays_at_min_lr_after_total_steps(impl: ModuleType) -> None:
    after = [impl.cosine_with_warmup(s, 0.1, 2, 10, 0.005) for s in range(10, 16)]
    assert all(math.isclose(lr, 0.005) for lr in after), (
        f"from total_steps=10 on the rate stays at min_lr=0.005, got {after}"
    )


@pytest.mark.clause("cosine")
def test_cosine_decays_monotonically_after_warmup(impl: ModuleType) -> None:
    lrs = [impl.cosine_with_warmup(s, 0.1, 5, 40, 0.001) for s in range(5, 41)]
    assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False)), (
        "after the warm-up the cosine schedule must never increase up to total_steps"
    )


@pytest.mark.clause("one-cycle-up", "one-cycle-down")
# -- one_cycle -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("total", "pct_start"), [(100, 0.3), (37, 0.25), (10, 0.5), (64, 0.1)])
def test_one_cycle_matches_torch(impl: ModuleType, total: int, pct_start: float) -> None:
    want = _torch_lrs(
        lambda o: lr_scheduler.OneCycleLR(
            o,
            max_lr=0.1,
            total_steps=total,
            pct_start=pct_start,
            anneal_strategy="linear",
            cycle_momentum=False,
        ),
        0.1,
        total,
    )
    _compare(
        lambda s: impl.one_cycle(s, 0.1, total, pct_start),
        want,
        f"one_cycle(max_lr=0.1, total_steps={total}, pct_start={pct_start})",
    )


@pytest.mark.clause("one-cycle-up", "one-cycle-down")
def test_one_cycle_endpoints(impl: ModuleType) -> None:
    start, peak, end = (impl.one_cycle(s, 1.0, 100, 0.3) for s in (0, 29, 99))
    assert math.isclose(start, 1.0 / 25), f"step 0 must be max_lr / 25 = 0.04, got {start}"
    assert math.isclose(peak, 1.0), (
        f"total_steps=100, pct_start=0.3: the peak max_lr is at step 0.3 * 100 - 1 = 29, "
        f"got lr(29)={peak}"
    )
    assert math.isclose(end, 1.0 / 25 / 1e4), (
        f"the LAST step (99) must be max_lr / 25 / 1e4 = 4e-6, got {end}"
    )


@pytest.mark.clause("step-lr-args", "cosine-args", "one-cycle-args")
@pytest.mark.parametrize(
    ("call", "why"),
    [
        (lambda m: m.step_lr(3, 0.1, 0), "step_size=0"),
        (lambda m: m.step_lr(-1, 0.1, 5), "a negative step"),
        (lambda m: m.cosine_with_warmup(0, 0.1, 10, 10), "warmup_steps == total_steps"),
        (lambda m: m.one_cycle(100, 0.1, 100), "step == total_steps (past the last step)"),
        (lambda m: m.one_cycle(0, 0.1, 100, 1.5), "pct_start=1.5"),
    ],
)
def test_invalid_arguments_raise(impl: ModuleType, call, why: str) -> None:
    with pytest.raises(ValueError):
        call(impl)
        pytest.fail(f"expected ValueError for {why}")


# -- judged against the reference --------------------------------------------------------------
# Tolerances: rel 1e-9 as against torch, plus an atol of a few eps times the largest rate: near
# the end of the cosine, 1 + cos(pi p) cancels, and min + (base - min) * cos(pi p / 2) ** 2 (the
# same value) differs there by ~eps * base_lr.
EPS = 2.220446049250313e-16


def _started(impl: ModuleType) -> None:
    """Valid calls first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.step_lr(0, 0.1, 1)
    impl.cosine_with_warmup(0, 0.1, 0, 1)
    impl.one_cycle(0, 0.1, 10)


def _close(*rates: float):
    atol = 8 * EPS * max(abs(r) for r in rates)
    return lambda got, want: diff.same(got, want, rtol=1e-9, atol=atol)


_RATE = st.sampled_from([0.1, 1.0, 3e-4, 1000.0, 0.0])


@pytest.mark.clause("step-lr", "step-lr-args")
@given(
    step=st.integers(-2, 60),
    base_lr=_RATE,
    step_size=st.integers(-1, 9),
    gamma=st.sampled_from([0.1, 0.5, 1.0, 2.0, 0.0]),
)
@example(step=10, base_lr=1.0, step_size=10, gamma=0.5)
@example(step=-1, base_lr=1.0, step_size=10, gamma=0.5)
@example(step=3, base_lr=1.0, step_size=0, gamma=0.5)
def test_step_lr_agrees_with_the_reference(impl, reference, step, base_lr, step_size, gamma):
    _started(impl)
    diff.assert_same(
        impl.step_lr, reference.step_lr, step, base_lr, step_size, gamma,
        compare=_close(base_lr),
    )  # fmt: skip


@pytest.mark.clause("warmup", "cosine", "after-total", "no-warmup", "cosine-args")
@given(
    step=st.integers(-1, 45),
    base_lr=_RATE,
    warmup=st.integers(-1, 10),
    total=st.integers(0, 40),
    min_lr=st.sampled_from([0.0, 1e-3, 0.05, 2.0]),
)
@example(step=0, base_lr=1.0, warmup=0, total=5, min_lr=0.0)
@example(step=5, base_lr=1.0, warmup=0, total=5, min_lr=0.1)
@example(step=4, base_lr=1.0, warmup=4, total=5, min_lr=0.1)
@example(step=0, base_lr=1.0, warmup=5, total=5, min_lr=0.1)
@example(step=2, base_lr=1.0, warmup=-1, total=5, min_lr=0.1)
@example(step=-1, base_lr=1.0, warmup=2, total=5, min_lr=0.1)
@example(step=12, base_lr=1000.0, warmup=2, total=12, min_lr=0.0)
def test_cosine_agrees_with_the_reference(impl, reference, step, base_lr, warmup, total, min_lr):
    _started(impl)
    diff.assert_same(
        impl.cosine_with_warmup, reference.cosine_with_warmup, step, base_lr, warmup, total,
        min_lr, compare=_close(base_lr, min_lr),
    )  # fmt: skip


@pytest.mark.clause("one-cycle-up", "one-cycle-down", "one-cycle-args")
@given(
    step=st.integers(-1, 51),
    max_lr=_RATE,
    total=st.integers(0, 50),
    pct_start=st.sampled_from([0.3, 0.1, 0.5, 0.99, 0.0, 1.0, -0.1, 1.5, 0.05]),
)
@example(step=0, max_lr=1.0, total=10, pct_start=0.1)
@example(step=0, max_lr=1.0, total=20, pct_start=0.05)
@example(step=0, max_lr=1.0, total=19, pct_start=0.05)
@example(step=9, max_lr=1.0, total=10, pct_start=0.5)
@example(step=10, max_lr=1.0, total=10, pct_start=0.5)
def test_one_cycle_agrees_with_the_reference(impl, reference, step, max_lr, total, pct_start):
    _started(impl)
    diff.assert_same(
        impl.one_cycle, reference.one_cycle, step, max_lr, total, pct_start,
        compare=_close(max_lr),
    )  # fmt: skip


class _Rate(float):
    """A float that counts the arithmetic done with it (a loop over the steps does a lot)."""

    ops = 0

    def _op(name: str):  # noqa: N805 - builds the methods below
        def method(self, *args):
            _Rate.ops += 1
            return _Rate(getattr(float, name)(self, *args))

        return method

    for _name in ("__mul__", "__rmul__", "__pow__", "__rpow__", "__truediv__", "__rtruediv__",
                  "__add__", "__radd__", "__sub__", "__rsub__"):  # fmt: skip
        locals()[_name] = _op(_name)
    del _name, _op


@pytest.mark.clause("complexity")
def test_each_rate_is_computed_in_constant_time(impl: ModuleType) -> None:
    calls = [
        ("step_lr(10**6, 0.1, 1, gamma)", lambda: impl.step_lr(10**6, _Rate(0.1), 1, _Rate(0.999))),
        ("cosine_with_warmup", lambda: impl.cosine_with_warmup(
            50_000, _Rate(0.1), 1000, 100_000, _Rate(0.001))),
        ("one_cycle", lambda: impl.one_cycle(90_000, _Rate(0.1), 100_000, 0.3)),
    ]  # fmt: skip
    for what, fn in calls:
        _Rate.ops = 0
        fn()
        assert _Rate.ops <= 50, (
            f"{what} did {_Rate.ops} arithmetic operations with the rates: compute the rate "
            "from its closed form (O(1) per call), do not loop over the steps"
        )
