"""Tests of week6.adam: trajectories against torch.optim.Adam and torch.optim.AdamW.

Both optimisers get the same precomputed random gradients; the parameters are compared after
EVERY step (float64), so the first step where you diverge is reported.
Run: ``pytest weeks/week6/tests/test_adam.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch.optim.adam import adam as torch_adam_functional

from grader import differential as diff

SHAPES = [(3, 4), (5,), (2, 2, 2)]


def _grads(steps: int, seed: int, scale: float = 1.0) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [
        [scale * rng.standard_normal(s) * rng.uniform(0.1, 3.0) for s in SHAPES]
        for _ in range(steps)
    ]


class _TorchAdam:
    """PyTorch's Adam/AdamW update on float64 tensors.

    ``torch.optim.Adam.step`` hands its state to the functional ``torch.optim.adam.adam``; we call
    that function the same way, which skips the multi-second ``torch._dynamo`` import that an
    optimizer's ``step()`` triggers. Older torch without ``decoupled_weight_decay`` there uses the
    optimizer classes instead.
    """

    def __init__(self, params: list[np.ndarray], decoupled: bool, **hyper: object) -> None:
        self.params = [torch.tensor(p.copy()) for p in params]
        self.hyper = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}
        self.hyper.update(hyper)
        self.decoupled = decoupled
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.steps = [torch.tensor(0.0, dtype=torch.float64) for _ in self.params]
        functional = torch_adam_functional
        self.optimizer = None
        if "decoupled_weight_decay" not in inspect.signature(functional).parameters:
            cls = torch.optim.AdamW if decoupled else torch.optim.Adam
            for p in self.params:
                p.requires_grad_(True)
            self.optimizer = cls(self.params, **self.hyper)

    def step(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        tensors = [torch.from_numpy(g.copy()) for g in grads]
        if self.optimizer is not None:
            for p, g in zip(self.params, tensors, strict=True):
                p.grad = g
            self.optimizer.step()
        else:
            beta1, beta2 = self.hyper["betas"]
            torch_adam_functional(
                self.params,
                tensors,
                self.m,
                self.v,
                [],
                self.steps,
                foreach=False,
                decoupled_weight_decay=self.decoupled,
                amsgrad=False,
                beta1=beta1,
                beta2=beta2,
                lr=self.hyper["lr"],
                weight_decay=self.hyper["weight_decay"],
                eps=self.hyper["eps"],
                maximize=False,
            )
        return [p.detach().numpy() for p in self.params]


def _compare(impl: ModuleType, steps: int, seed: int, scale: float = 1.0, **hyper) -> None:
    decoupled = hyper.pop("decoupled", False)
    rng = np.random.default_rng(seed + 1)
    ours = [rng.standard_normal(s) for s in SHAPES]
    ref = _TorchAdam(ours, decoupled, **hyper)
    opt = impl.Adam(ours, decoupled=decoupled, **hyper)
    name = f"{'AdamW' if decoupled else 'Adam'}({', '.join(f'{k}={v}' for k, v in hyper.items())})"
    for step, grads in enumerate(_grads(steps, seed, scale), start=1):
        theirs = ref.step(grads)
        opt.step(grads)
        for i, (mine, want) in enumerate(zip(ours, theirs, strict=True)):
            err = np.max(np.abs(mine - want) / (np.abs(want) + 1e-3))
            assert err < 1e-9, (
                f"{name}: parameter {i} {mine.shape} differs from torch after step {step} "
                f"(relative error {err:.3g}); first entries yours {mine.ravel()[:3]}, "
                f"torch {want.ravel()[:3]}"
            )


@pytest.mark.clause("update")
def test_trajectory_matches_torch_adam(impl: ModuleType) -> None:
    _compare(impl, steps=60, seed=0, lr=1e-2)


@pytest.mark.clause("update")
def test_trajectory_matches_torch_adam_with_other_betas(impl: ModuleType) -> None:
    _compare(impl, steps=40, seed=1, lr=3e-2, betas=(0.8, 0.99), eps=1e-6)


@pytest.mark.clause("l2")
def test_adam_weight_decay_is_an_l2_penalty_in_the_gradient(impl: ModuleType) -> None:
    _compare(impl, steps=40, seed=2, lr=1e-2, weight_decay=0.1)


@pytest.mark.clause("decoupled")
def test_adamw_decouples_weight_decay(impl: ModuleType) -> None:
    _compare(impl, steps=40, seed=3, lr=1e-2, weight_decay=0.1, decoupled=True)


@pytest.mark.clause("update")
def test_tiny_gradients_keep_eps_outside_the_square_root(impl: ModuleType) -> None:
    _compare(impl, steps=10, seed=4, scale=1e-6, lr=1e-2, eps=1e-8)


@pytest.mark.clause("update")
def test_first_step_moves_each_coordinate_by_lr(impl: ModuleType) -> None:
    p = np.array([1.0, -2.0, 3.0])
    opt = impl.Adam([p], lr=0.1)
    opt.step([np.array([0.5, -3.0, 0.01])])
    moved = p - np.array([1.0, -2.0, 3.0])
    assert np.allclose(moved, [-0.1, 0.1, -0.1], atol=1e-6), (
        "with bias correction the first Adam step is lr * g / |g| = lr * sign(g) for every "
        f"coordinate, i.e. [-0.1, 0.1, -0.1]; your parameters moved by {moved}. Divide m by "
        "1 - b1**t and v by 1 - b2**t"
    )


@pytest.mark.clause("t-per-call")
def test_step_counter_counts_calls_not_parameters(impl: ModuleType) -> None:
    params = [np.zeros(2), np.zeros(3), np.zeros(1)]
    opt = impl.Adam(params, lr=0.1)
    for _ in range(4):
        opt.step([np.ones(2), np.ones(3), np.ones(1)])
    assert opt.t == 4, f"after 4 calls to step(), t must be 4 (one per call), got {opt.t}"


@pytest.mark.clause("in-place", "grads-untouched")
def test_parameters_are_updated_in_place_and_grads_untouched(impl: ModuleType) -> None:
    p = np.ones(4)
    q = np.ones((2, 2))
    g_p, g_q = np.full(4, 0.3), np.full((2, 2), -0.2)
    before = (g_p.copy(), g_q.copy())
    opt = impl.Adam([p, q], lr=0.1)
    opt.step([g_p, g_q])
    assert not np.allclose(p, 1.0) and not np.allclose(q, 1.0), (
        "step() must update the very arrays passed in params (in place: p -= ..., not p = ...)"
    )
    assert np.array_equal(g_p, before[0]) and np.array_equal(g_q, before[1]), (
        "step() modified the gradients it was given"
    )


@pytest.mark.clause("decoupled")
def test_adam_and_adamw_differ_with_weight_decay(impl: ModuleType) -> None:
    a, b = np.full(3, 5.0), np.full(3, 5.0)
    adam = impl.Adam([a], lr=0.1, weight_decay=0.5)
    adamw = impl.Adam([b], lr=0.1, weight_decay=0.5, decoupled=True)
    for _ in range(5):
        adam.step([np.full(3, 0.01)])
        adamw.step([np.full(3, 0.01)])
    assert not np.allclose(a, b), (
        "Adam (decay added to the gradient) and AdamW (p *= 1 - lr * wd) must give different "
        "parameters; yours are identical: is `decoupled` ignored?"
    )


@pytest.mark.clause("hyper-range")
@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"lr": -0.1}, "negative learning rate"),
        ({"betas": (0.9, 1.0)}, "beta2 = 1 (must be < 1)"),
        ({"weight_decay": -1.0}, "negative weight decay"),
        ({"eps": -1e-8}, "negative eps"),
        ({"betas": (1.0, 0.999)}, "beta1 = 1 (must be < 1)"),
        ({"betas": (-0.1, 0.999)}, "negative beta1"),
    ],
)
def test_invalid_hyper_parameters_raise(impl: ModuleType, kwargs: dict, why: str) -> None:
    with pytest.raises(ValueError):
        impl.Adam([np.zeros(2)], **kwargs)
        pytest.fail(f"Adam should raise ValueError for a {why}")


@pytest.mark.clause("step-errors")
def test_wrong_gradients_raise(impl: ModuleType) -> None:
    opt = impl.Adam([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError):
        opt.step([np.zeros(2)])
        pytest.fail("step() with 1 gradient for 2 parameters must raise ValueError")
    with pytest.raises(ValueError):
        opt.step([np.zeros(2), np.zeros(4)])
        pytest.fail("step() with a (4,) gradient for a (3,) parameter must raise ValueError")


# -- judged against the reference -------------------------------------------------------------
EPS = np.finfo(np.float64).eps


def _started(impl: ModuleType) -> None:
    """Raise the stub's NotImplementedError before comparing: a stub is *not started*, not
    *wrong*, even on inputs where the reference raises."""
    impl.Adam([np.zeros(1)]).step([np.ones(1)])


_ARRAYS = diff.float_arrays(min_dims=0, max_dims=2, min_side=0, max_side=3, magnitude=100.0)


@st.composite
def _problems(draw):
    params = draw(st.lists(_ARRAYS, min_size=0, max_size=3))
    steps = draw(st.integers(1, 4))
    values = st.one_of(
        st.sampled_from([0.0, 1.0, -2.0, 1e-7, 100.0]), st.floats(-100.0, 100.0, width=64)
    )
    grads = [
        [draw(hnp.arrays(np.float64, p.shape, elements=values)) for p in params]
        for _ in range(steps)
    ]
    hyper = {
        "lr": draw(st.sampled_from([1e-3, 0.0, 0.1, 1.0, -0.1])),
        "betas": draw(
            st.sampled_from([(0.9, 0.999), (0.0, 0.0), (0.5, 0.9), (1.0, 0.9), (0.9, -0.1)])
        ),  # fmt: skip
        "eps": draw(st.sampled_from([1e-8, 1e-3, 0.5, -1e-8])),
        "weight_decay": draw(st.sampled_from([0.0, 0.1, 2.0, -0.5])),
        "decoupled": draw(st.booleans()),
    }
    return params, grads, hyper


def _story(mod: ModuleType, params, grads, hyper):
    """Construct, step, and report what the spec promises: the caller's own arrays (updated in
    place), the caller's gradients (untouched), and the state ``t``, ``m``, ``v``."""
    params, grads = [p.copy() for p in params], [[x.copy() for x in g] for g in grads]
    opt = mod.Adam(params, **hyper)
    seen = [opt.t, [np.array(m) for m in opt.m], [np.array(v) for v in opt.v]]
    for g in grads:
        opt.step(g)
    return tuple(seen), opt.t, params, grads, [np.array(m) for m in opt.m]


def _tolerance(params, grads, hyper) -> Callable[[object, object], str | None]:
    """Any order of the same float64 formula (torch's ``lerp`` moments, ``lr / (1 - b1**t)``
    folded into the step size) rounds each update ``lr * m_hat / (sqrt(v_hat) + eps)`` to a few
    ulps of its size, at most ``lr / sqrt(1 - b2)``; the parameters also carry an ulp of their
    own magnitude per step. ``m`` is a weighted sum of gradients (plus decay terms)."""
    hyper = {"lr": 1e-3, "betas": (0.9, 0.999), "weight_decay": 0.0} | hyper
    steps = len(grads)
    b2 = hyper["betas"][1]
    big_p = max([float(np.abs(p).max(initial=0.0)) for p in params], default=0.0)
    big_g = max([float(np.abs(x).max(initial=0.0)) for g in grads for x in g], default=0.0)
    lr, wd = abs(hyper["lr"]), abs(hyper["weight_decay"])
    move = lr / np.sqrt(max(1.0 - b2, 1e-12))
    atol_p = 64 * EPS * steps * (1.0 + big_p + move)
    atol_m = 64 * EPS * steps * (1.0 + big_g + wd * (big_p + steps * move))

    def compare(got, want) -> str | None:
        return (
            diff.same(got[:2], want[:2], path="(initial state, t)")
            or diff.same(got[2], want[2], rtol=1e-12, atol=atol_p, path="params")
            or diff.same(got[3], want[3], rtol=0.0, path="grads (must not change)")
            or diff.same(got[4], want[4], rtol=1e-12, atol=atol_m, path="m")
        )

    return compare


@pytest.mark.clause(
    "in-place", "state", "grads-untouched", "t-per-call", "update", "l2", "decoupled",
    "hyper-range",
)  # fmt: skip
@given(problem=_problems())
@example(problem=([np.zeros(3)], [[np.zeros(3)]], {"eps": 0.5, "weight_decay": 2.0}))
@example(problem=([np.ones(2)], [[np.ones(2)]], {"weight_decay": 0.1}))
@example(problem=([np.ones(2)], [[np.ones(2)]] * 3, {"lr": 0.1, "betas": (0.0, 0.0)}))
@example(
    problem=([np.full(2, 5.0)], [[np.full(2, 0.01)]] * 2, {"weight_decay": 0.5, "decoupled": True})
)
def test_adam_agrees_with_the_reference(impl: ModuleType, reference: ModuleType, problem) -> None:
    _started(impl)
    params, grads, hyper = problem
    with np.errstate(all="ignore"):
        diff.assert_same(
            lambda: _story(impl, params, grads, hyper),
            lambda: _story(reference, params, grads, hyper),
            compare=_tolerance(params, grads, hyper),
        )


@pytest.mark.clause("float-params")
@pytest.mark.parametrize(
    "params",
    [[np.zeros(2, dtype=np.int64)], [[0.0, 1.0]], [np.zeros(2), np.ones(3, dtype=bool)]],
    ids=["int-array", "list", "bool-array"],
)
def test_non_float_params_raise(impl: ModuleType, params: list) -> None:
    with pytest.raises(ValueError):
        impl.Adam(params)
        pytest.fail(f"Adam({params!r}) must raise ValueError: params are float arrays")


@pytest.mark.clause("step-errors")
@given(
    shapes=st.lists(st.sampled_from([(), (2,), (3,), (2, 1), (1, 2)]), min_size=0, max_size=3),
    grad_shapes=st.lists(st.sampled_from([(), (2,), (3,), (2, 1), (1, 2)]), max_size=3),
)
def test_step_checks_gradients_like_the_reference(
    impl: ModuleType, reference: ModuleType, shapes: list, grad_shapes: list
) -> None:
    _started(impl)

    def story(mod: ModuleType):
        params = [np.ones(s) for s in shapes]
        mod.Adam(params, lr=0.1).step([np.ones(s) for s in grad_shapes])
        return params

    diff.assert_same(lambda: story(impl), lambda: story(reference), rtol=1e-12)


@pytest.mark.clause("vectorized")
def test_no_python_loop_over_elements(impl: ModuleType) -> None:
    small, large = [np.ones(4), np.ones(3)], [np.ones(4096), np.ones(3000)]
    opt_small, opt_large = impl.Adam(small, lr=0.1), impl.Adam(large, lr=0.1)
    opt_small.step([np.ones(4), np.ones(3)])  # warm up
    opt_large.step([np.ones(4096), np.ones(3000)])
    lines_small = diff.python_lines(lambda: opt_small.step([np.ones(4), np.ones(3)]))
    lines_large = diff.python_lines(lambda: opt_large.step([np.ones(4096), np.ones(3000)]))
    assert lines_large <= lines_small + 40, (
        f"step() ran {lines_small} Python lines for 7 numbers but {lines_large} for 7096: update "
        "each parameter array with array operations, not element by element"
    )
