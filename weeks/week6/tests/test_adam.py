"""Tests of week6.adam: trajectories against torch.optim.Adam and torch.optim.AdamW.

Both optimisers get the same precomputed random gradients; the parameters are compared after
EVERY step (float64), so the first step where you diverge is reported.
Run: ``pytest weeks/week6/tests/test_adam.py``.
"""

from __future__ import annotations

import inspect
from types import ModuleType

import numpy as np
import pytest
import torch
from torch.optim.adam import adam as torch_adam_functional

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


def test_trajectory_matches_torch_adam(impl: ModuleType) -> None:
    _compare(impl, steps=60, seed=0, lr=1e-2)


def test_trajectory_matches_torch_adam_with_other_betas(impl: ModuleType) -> None:
    _compare(impl, steps=40, seed=1, lr=3e-2, betas=(0.8, 0.99), eps=1e-6)


def test_adam_weight_decay_is_an_l2_penalty_in_the_gradient(impl: ModuleType) -> None:
    _compare(impl, steps=40, seed=2, lr=1e-2, weight_decay=0.1)


def test_adamw_decouples_weight_decay(impl: ModuleType) -> None:
    _compare(impl, steps=40, seed=3, lr=1e-2, weight_decay=0.1, decoupled=True)


def test_tiny_gradients_keep_eps_outside_the_square_root(impl: ModuleType) -> None:
    _compare(impl, steps=10, seed=4, scale=1e-6, lr=1e-2, eps=1e-8)


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


def test_step_counter_counts_calls_not_parameters(impl: ModuleType) -> None:
    params = [np.zeros(2), np.zeros(3), np.zeros(1)]
    opt = impl.Adam(params, lr=0.1)
    for _ in range(4):
        opt.step([np.ones(2), np.ones(3), np.ones(1)])
    assert opt.t == 4, f"after 4 calls to step(), t must be 4 (one per call), got {opt.t}"


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


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"lr": -0.1}, "negative learning rate"),
        ({"betas": (0.9, 1.0)}, "beta2 = 1 (must be < 1)"),
        ({"weight_decay": -1.0}, "negative weight decay"),
    ],
)
def test_invalid_hyper_parameters_raise(impl: ModuleType, kwargs: dict, why: str) -> None:
    with pytest.raises(ValueError):
        impl.Adam([np.zeros(2)], **kwargs)
        pytest.fail(f"Adam should raise ValueError for a {why}")


def test_wrong_gradients_raise(impl: ModuleType) -> None:
    opt = impl.Adam([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError):
        opt.step([np.zeros(2)])
        pytest.fail("step() with 1 gradient for 2 parameters must raise ValueError")
    with pytest.raises(ValueError):
        opt.step([np.zeros(2), np.zeros(4)])
        pytest.fail("step() with a (4,) gradient for a (3,) parameter must raise ValueError")
