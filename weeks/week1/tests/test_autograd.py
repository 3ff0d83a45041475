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

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn
from torch.autograd import gradcheck

from grader import differential as diff


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
@pytest.mark.clause("silu", "silu-forward", "silu-backward")
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


@pytest.mark.clause("silu-backward")
def test_silu_function_passes_gradcheck(impl: ModuleType) -> None:
    x = (_rand(4, 5, seed=2) * 3).requires_grad_()
    assert gradcheck(impl.SiLUFunction.apply, (x,), eps=1e-6, atol=1e-6, raise_exception=False), (
        "gradcheck (finite differences in float64) disagrees with SiLUFunction.backward: check "
        "the product rule, d(x * s)/dx = s + x * s * (1 - s), and that you multiply by grad_out"
    )


@pytest.mark.clause("silu-saves-input")
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
@pytest.mark.clause("linear-forward", "linear-backward", "linear-no-bias")
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


@pytest.mark.clause("linear-three-grads", "linear-needs-input-grad")
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
@pytest.mark.clause("mlp-grads", "mlp-returns", "mlp-relu")
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


@pytest.mark.clause("mlp-no-autograd")
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
@pytest.mark.clause(
    "accum-zero-grad",
    "accum-scale",
    "accum-step-once",
    "accum-full-batch",
    "accum-grad-kept",
    "accum-returns",
)
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


# -- differential: the reference on the same inputs, extreme values included ----------------------
def close(rtol: float, atol: float) -> Any:
    """``compare=`` for tensors, tuples of tensors (None allowed) and dicts of tensors."""

    def compare(got: Any, want: Any) -> str | None:
        if isinstance(want, dict):
            if not isinstance(got, dict) or set(got) != set(want):
                return f"expected a dict with keys {sorted(want)}, got {diff.describe(got)}"
            return next((m for k in want if (m := compare(got[k], want[k]))), None)
        if isinstance(want, tuple):
            if not isinstance(got, tuple) or len(got) != len(want):
                return f"expected a tuple of {len(want)} entries, got {diff.describe(got)}"
            return next((m for g, w in zip(got, want, strict=True) if (m := compare(g, w))), None)
        if want is None:
            return None if got is None else f"expected None, got {diff.describe(got)}"
        if not isinstance(got, torch.Tensor):
            return f"expected a tensor, got {diff.describe(got)}"
        if got.dtype != want.dtype:
            return f"expected dtype {want.dtype}, got {got.dtype}"
        scale = float(want.abs().max()) if want.numel() else 0.0
        return diff.same(
            got.detach().numpy(), want.detach().numpy(), rtol=rtol, atol=atol * max(1.0, scale)
        )

    return compare


def _silu_and_grad(module: ModuleType, x: torch.Tensor, w: torch.Tensor) -> tuple:
    leaf = x.clone().requires_grad_()
    y = module.silu(leaf)
    (y * w).sum().backward()
    return y.detach(), leaf.grad


@pytest.mark.clause("silu", "silu-forward", "silu-backward")
@given(
    x=diff.float_arrays(min_dims=1, max_dims=2, magnitude=800.0),
    dtype=st.sampled_from([torch.float64, torch.float32]),
)
@example(x=np.array([-1.2784645, 0.0, -745.0, 745.0, -40.0, 40.0]), dtype=torch.float64)
def test_silu_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, x: np.ndarray, dtype: torch.dtype
) -> None:
    t = torch.from_numpy(x).to(dtype)
    w = torch.linspace(-2, 3, t.numel(), dtype=dtype).reshape(t.shape)
    eps = torch.finfo(dtype).eps
    # x * s and x / (1 + exp(-x)), s * (1 + x (1 - s)) and s + x s (1 - s): a few eps apart,
    # relative to the size of the terms (the derivative cancels near x = -1.28)
    got, want = _silu_and_grad(impl, t, w), _silu_and_grad(reference, t, w)
    problem = close(rtol=64 * eps, atol=64 * eps)(got, want)
    assert problem is None, f"silu / its gradient on x = {diff.describe(x)} ({dtype}): {problem}"


def _linear(module: ModuleType, x: torch.Tensor, w: torch.Tensor, b: Any, needs: tuple) -> tuple:
    ctx = FakeCtx(needs)
    y = module.LinearFunction.forward(ctx, x, w, b)
    grad_out = torch.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape)
    return (y, *module.LinearFunction.backward(ctx, grad_out))


@pytest.mark.clause("linear-forward", "linear-backward", "linear-no-bias")
@pytest.mark.clause("linear-three-grads", "linear-needs-input-grad")
@given(
    n=st.integers(0, 4),
    d_in=st.integers(1, 4),
    d_out=st.integers(1, 4),
    with_bias=st.booleans(),
    needs=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    seed=st.integers(0, 2**16),
)
def test_linear_function_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    n: int,
    d_in: int,
    d_out: int,
    with_bias: bool,
    needs: tuple[bool, bool, bool],
    seed: int,
) -> None:
    x, w = _rand(n, d_in, seed=seed) * 100, _rand(d_out, d_in, seed=seed + 1)
    b = _rand(d_out, seed=seed + 2) if with_bias else None
    # products summed in another order differ by a few eps times the size of the terms
    got, want = _linear(impl, x, w, b, needs), _linear(reference, x, w, b, needs)
    problem = close(rtol=1e-12, atol=1e-12)(got, want)
    assert problem is None, (
        f"LinearFunction with x {tuple(x.shape)}, weight {tuple(w.shape)}, bias "
        f"{'None' if b is None else tuple(b.shape)}, needs_input_grad={needs}: (y, grad_x, "
        f"grad_weight, grad_bias) {problem}"
    )


def _mlp_case(seed: int, n: int, d: int, h: int, k: int, scale: float, zeros: bool) -> tuple:
    x = _rand(n, d, seed=seed)
    if zeros:  # inputs and first layer that put some z1 exactly at 0
        x[:, 0] = 0.0
    w1, b1 = _rand(h, d, seed=seed + 1), _rand(h, seed=seed + 2)
    if zeros:
        w1[0], b1[0] = 0.0, 0.0
    w2, b2 = _rand(k, h, seed=seed + 3) * scale, _rand(k, seed=seed + 4) * scale
    labels = torch.randint(0, k, (n,), generator=_gen(seed + 5))
    return x, labels, w1, b1, w2, b2


@pytest.mark.clause("mlp-grads", "mlp-returns", "mlp-stable", "mlp-relu")
@given(
    seed=st.integers(0, 2**16),
    shape=st.tuples(st.integers(1, 6), st.integers(1, 4), st.integers(1, 5), st.integers(1, 4)),
    scale=st.sampled_from([1.0, 30.0, 300.0]),
    zeros=st.booleans(),
)
@example(seed=0, shape=(4, 3, 3, 3), scale=300.0, zeros=True)
def test_mlp_backward_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    seed: int,
    shape: tuple[int, int, int, int],
    scale: float,
    zeros: bool,
) -> None:
    args = _mlp_case(seed, *shape, scale, zeros)
    with torch.no_grad():
        want = reference.mlp_backward(*args)
        got = impl.mlp_backward(*args)
    # 1e-10 relative to the size of each value (losses of logits ~1000 are ~1000)
    problem = close(rtol=1e-10, atol=1e-10)(got, want)
    assert problem is None, (
        f"mlp_backward with (N, D, H, K) = {shape}, second layer scaled by {scale}"
        f"{', some z1 exactly 0' if zeros else ''}: (loss, grads) {problem}. Use a stable "
        "log-softmax (subtract the row max), and block the gradient where z1 <= 0"
    )
    assert torch.isfinite(got[0]).all(), "the loss must be finite (stable log-softmax)"


def _accumulate(module: ModuleType, optimizer_name: str, pieces: int, loss_name: str) -> tuple:
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    for p in model.parameters():  # stale gradients from an earlier step
        p.grad = torch.full_like(p, 0.5)
    optimizer = {
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
        "momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.01),
    }[optimizer_name](model.parameters())
    inputs = _rand(12, 3, seed=30)
    if loss_name == "mse":
        targets, loss_fn = _rand(12, 2, seed=31), F.mse_loss
    else:
        targets, loss_fn = torch.randint(0, 2, (12,), generator=_gen(31)), F.cross_entropy
    size = 12 // pieces
    micro = [(inputs[i : i + size], targets[i : i + size]) for i in range(0, 12, size)]
    loss = module.accumulated_step(model, optimizer, loss_fn, micro)
    return (
        loss,
        tuple(p.detach().clone() for p in model.parameters()),
        tuple(None if p.grad is None else p.grad.clone() for p in model.parameters()),
    )


@pytest.mark.clause("accum-zero-grad", "accum-scale", "accum-step-once", "accum-full-batch")
@pytest.mark.clause("accum-grad-kept", "accum-returns")
@pytest.mark.parametrize("optimizer_name", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("pieces", [1, 2, 6])
@pytest.mark.parametrize("loss_name", ["cross_entropy", "mse"])
def test_accumulated_step_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, optimizer_name: str, pieces: int, loss_name: str
) -> None:
    got = _accumulate(impl, optimizer_name, pieces, loss_name)
    want = _accumulate(reference, optimizer_name, pieces, loss_name)
    assert isinstance(got[0], float), f"accumulated_step returns a Python float, got {got[0]!r}"
    assert abs(got[0] - want[0]) <= 1e-10 * max(1.0, abs(want[0])), (
        f"the returned loss should be {want[0]!r} (mean of the micro-batch losses), got {got[0]!r}"
    )
    for what, g, w in (("parameters", got[1], want[1]), ("gradients", got[2], want[2])):
        problem = close(rtol=1e-9, atol=1e-10)(g, w)
        assert problem is None, (
            f"{optimizer_name}, {pieces} micro-batch(es), {loss_name}: the {what} after "
            f"accumulated_step differ from one step on the full batch: {problem}"
        )
