"""Tests of week1.autograd: custom Functions, a manual backward pass, gradient accumulation.

Oracles: ``torch.autograd.gradcheck`` (finite differences, float64), ``F.silu``, ``F.linear``,
and autograd itself on the same computations. Run: ``pytest weeks/week1/tests/test_autograd.py``.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from types import ModuleType
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd import gradcheck


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _rand(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=_gen(seed), dtype=torch.float64)


class FakeCtx:
    """A stand-in for the ``ctx`` autograd passes to forward and backward."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple[Any, ...] = ()

    def save_for_backward(self, *tensors: Any) -> None:
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *args: Any) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        pass


# -- SiLU --------------------------------------------------------------------------------------
def test_silu_function_matches_torch(impl: ModuleType) -> None:
    x = torch.cat([_rand(50, seed=0) * 4, torch.tensor([-30.0, -5.0, 0.0, 5.0, 30.0]).double()])
    got = impl.silu(x)
    assert torch.allclose(got, F.silu(x), atol=1e-12), (
        f"silu(x) should equal F.silu(x) = x * sigmoid(x); largest difference "
        f"{(got - F.silu(x)).abs().max().item():.3g}"
    )
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    w = _rand(x.shape[0], seed=1)
    (impl.SiLUFunction.apply(a) * w).sum().backward()
    (F.silu(b) * w).sum().backward()
    assert a.grad is not None and torch.allclose(a.grad, b.grad, atol=1e-12), (
        "the gradient of SiLUFunction differs from F.silu's: dy/dx = s * (1 + x * (1 - s)) with "
        f"s = sigmoid(x). At x = {x[:3].tolist()} F gives {b.grad[:3].tolist()}, yours "
        f"{None if a.grad is None else a.grad[:3].tolist()}"
    )


def test_silu_function_passes_gradcheck(impl: ModuleType) -> None:
    x = (_rand(4, 5, seed=2) * 3).requires_grad_()
    assert gradcheck(impl.SiLUFunction.apply, (x,), eps=1e-6, atol=1e-6, raise_exception=False), (
        "gradcheck (finite differences in float64) disagrees with SiLUFunction.backward: check "
        "the product rule, d(x * s)/dx = s + x * s * (1 - s), and that you multiply by grad_out"
    )


def test_silu_function_saves_only_its_input(impl: ModuleType) -> None:
    x = _rand(6, seed=3).requires_grad_()
    y = impl.SiLUFunction.apply(x)
    saved = y.grad_fn.saved_tensors
    assert len(saved) == 1 and torch.equal(saved[0], x), (
        "SiLUFunction should save exactly one tensor, its input x (recompute the sigmoid in "
        f"backward); it saved {len(saved)} tensor(s)"
        + ("" if len(saved) != 1 else ", and it is not x (the output? the sigmoid?)")
    )


# -- Linear ------------------------------------------------------------------------------------
def test_linear_function_matches_f_linear_and_gradcheck(impl: ModuleType) -> None:
    x, w, b = _rand(5, 4, seed=4), _rand(3, 4, seed=5), _rand(3, seed=6)
    for bias in (b, None):
        got = impl.LinearFunction.apply(x, w, bias)
        want = F.linear(x, w, bias)
        assert torch.allclose(got, want, atol=1e-12), (
            f"LinearFunction.apply(x, weight, {'bias' if bias is not None else 'None'}) should "
            "equal F.linear: x @ weight.T + bias"
        )
    inputs = tuple(t.clone().requires_grad_() for t in (x, w, b))
    assert gradcheck(impl.LinearFunction.apply, inputs, raise_exception=False), (
        "gradcheck disagrees with LinearFunction.backward: grad_x = grad_out @ weight, "
        "grad_weight = grad_out.T @ x, grad_bias = grad_out.sum(0)"
    )
    inputs = tuple(t.clone().requires_grad_() for t in (x, w))
    assert gradcheck(lambda a, c: impl.LinearFunction.apply(a, c, None), inputs), (
        "LinearFunction without a bias (bias=None) fails gradcheck"
    )


@pytest.mark.parametrize(
    "needs",
    [(True, True, True), (False, True, True), (True, False, False), (False, False, True)],
    ids=lambda n: "needs-" + "".join("1" if b else "0" for b in n),
)
def test_linear_backward_returns_one_gradient_per_input_and_skips_unneeded(
    impl: ModuleType, needs: tuple[bool, bool, bool]
) -> None:
    x, w, b = _rand(5, 4, seed=7), _rand(3, 4, seed=8), _rand(3, seed=9)
    grad_out = _rand(5, 3, seed=10)
    ctx = FakeCtx(needs)
    impl.LinearFunction.forward(ctx, x, w, b)
    grads = impl.LinearFunction.backward(ctx, grad_out)
    assert isinstance(grads, tuple) and len(grads) == 3, (
        "LinearFunction.backward must return a tuple of 3 entries, one per input of forward "
        f"(x, weight, bias), got {type(grads).__name__} of length "
        f"{len(grads) if isinstance(grads, tuple) else '?'}"
    )
    want = (grad_out @ w, grad_out.T @ x, grad_out.sum(0))
    for name, need, got, expected in zip(("x", "weight", "bias"), needs, grads, want, strict=True):
        if need:
            assert got is not None and torch.allclose(got, expected, atol=1e-12), (
                f"grad_{name} is wrong (or None although ctx.needs_input_grad asks for it)"
            )
        else:
            assert got is None, (
                f"ctx.needs_input_grad = {needs}: grad_{name} is not needed, return None instead "
                "of computing it"
            )


# -- manual MLP backward -----------------------------------------------------------------------
def test_mlp_backward_matches_autograd(impl: ModuleType) -> None:
    n, d, h, k = 8, 5, 6, 4
    x, labels = _rand(n, d, seed=11), torch.randint(0, k, (n,), generator=_gen(12))
    params = {
        "w1": _rand(h, d, seed=13),
        "b1": _rand(h, seed=14),
        "w2": _rand(k, h, seed=15),
        "b2": _rand(k, seed=16),
    }
    leaves = {key: value.clone().requires_grad_() for key, value in params.items()}
    hidden = F.relu(x @ leaves["w1"].T + leaves["b1"])
    want_loss = F.cross_entropy(hidden @ leaves["w2"].T + leaves["b2"], labels)
    want_loss.backward()

    with torch.no_grad():
        loss, grads = impl.mlp_backward(x, labels, *params.values())
    assert torch.is_tensor(loss) and loss.numel() == 1, f"loss should be a scalar, got {loss!r}"
    assert abs(loss.item() - want_loss.item()) < 1e-10, (
        f"loss should be the mean cross-entropy {want_loss.item():.10f}, got {loss.item():.10f}"
    )
    assert set(grads) == set(params), f"grads keys should be {sorted(params)}, got {sorted(grads)}"
    for key, leaf in leaves.items():
        got = grads[key]
        assert got.shape == leaf.shape, f"grads[{key!r}] should have shape {tuple(leaf.shape)}"
        assert torch.allclose(got, leaf.grad, atol=1e-10), (
            f"grads[{key!r}] differs from autograd by up to "
            f"{(got - leaf.grad).abs().max().item():.3g}. Walk back from "
            "dlogits = (softmax - one_hot) / N; through relu only where z1 > 0."
        )


def test_mlp_backward_uses_no_autograd(impl: ModuleType) -> None:
    x, labels = _rand(2, 3, seed=17), torch.tensor([0, 1])
    impl.mlp_backward(
        x, labels, _rand(4, 3, seed=18), _rand(4, seed=19), _rand(2, 4, seed=20), _rand(2, seed=21)
    )
    tree = ast.parse(textwrap.dedent(inspect.getsource(impl.mlp_backward)))
    banned = {"backward", "autograd", "enable_grad", "requires_grad_", "grad"}
    used = sorted({n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} & banned)
    assert not used, f"mlp_backward must compute gradients by hand, but it uses {used}"


# -- gradient accumulation ---------------------------------------------------------------------
def test_accumulated_step_equals_one_full_batch_step(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).double()
    reference = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).double()
    reference.load_state_dict(model.state_dict())
    inputs, targets = _rand(12, 4, seed=22), torch.randint(0, 3, (12,), generator=_gen(23))

    full_loss = F.cross_entropy(reference(inputs), targets)
    full_loss.backward()
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad

    for p in model.parameters():  # stale gradients from an earlier step
        p.grad = torch.ones_like(p)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    micro = [(inputs[i : i + 4], targets[i : i + 4]) for i in range(0, 12, 4)]
    got = impl.accumulated_step(model, optimizer, F.cross_entropy, micro)

    assert isinstance(got, float) and abs(got - full_loss.item()) < 1e-10, (
        f"accumulated_step should return the full-batch loss {full_loss.item():.6f} (the mean of "
        f"the micro-batch losses), got {got!r}"
    )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert p.grad is not None and torch.allclose(p.grad, q.grad, atol=1e-10), (
            f"after accumulated_step, {name}.grad should equal the full-batch gradient. Off by a "
            "constant: stale gradients not zeroed first? Off by a factor of 3 (the number of "
            "micro-batches): each micro-batch loss must be divided by len(micro_batches)."
        )
        assert torch.allclose(p, q, atol=1e-10), (
            f"{name} after accumulated_step should equal one SGD step on the full batch: call "
            "optimizer.step() once, after all the backward calls"
        )
