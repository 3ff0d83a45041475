"""Tests of week1.activations: activation functions from tensor operations.

Oracle: ``torch.nn.functional``, for the values (float32 and float64, random and extreme inputs)
and for the gradients autograd computes through your code. A last check reads your source and
rejects calls to the ready-made activations.
Run: ``pytest weeks/week1/tests/test_activations.py``.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from types import ModuleType

import pytest
import torch
import torch.nn.functional as F

EXTREMES = [-1e4, -1e3, -100.0, -88.8, -20.0, -3.0, -1.5, -0.1, 0.0, 0.1, 1.5, 3.0, 20.0, 88.8]
EXTREMES += [100.0, 1e3, 1e4]

# name -> (how to call yours, how to call torch's)
ELEMENTWISE: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "silu": F.silu,
    "hard_swish": F.hardswish,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
}
ALONG_DIM: dict[str, Callable[..., torch.Tensor]] = {
    "softmax": lambda x, dim=-1: F.softmax(x, dim=dim),
    "log_softmax": lambda x, dim=-1: F.log_softmax(x, dim=dim),
}
TOL = {torch.float32: {"rtol": 1e-5, "atol": 1e-6}, torch.float64: {"rtol": 1e-10, "atol": 1e-12}}


def _yours(impl: ModuleType, name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    if name == "gelu_tanh":
        return lambda x: impl.gelu(x, approximate="tanh")
    return getattr(impl, name)


def _inputs(dtype: torch.dtype) -> torch.Tensor:
    """Random values times 4 (shape (6, 17)) with a last row of extremes +-1e4, +-88.8, 0."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, len(EXTREMES), generator=g, dtype=torch.float64) * 4
    return torch.cat([x, torch.tensor([EXTREMES], dtype=torch.float64)]).to(dtype)


def _compare(got: torch.Tensor, want: torch.Tensor, what: str, x: torch.Tensor) -> None:
    assert got.shape == want.shape and got.dtype == want.dtype, (
        f"{what} should keep shape {tuple(want.shape)} and dtype {want.dtype}, got "
        f"{tuple(got.shape)} {got.dtype}"
    )
    bad = ~torch.isclose(got, want, **TOL[want.dtype], equal_nan=False)
    if bad.any():
        i = bad.nonzero()[0].tolist()
        pytest.fail(
            f"{what}: at x = {x[tuple(i)].item():g} (index {i}) torch gives "
            f"{want[tuple(i)].item():.8g}, yours gives {got[tuple(i)].item():.8g}; "
            f"{int(bad.sum())} of {bad.numel()} values differ. nan or inf at large |x| means "
            "an exp overflowed: read the stability notes in the docstring.",
            pytrace=False,
        )


# -- values ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_matches_torch(impl: ModuleType, name: str, dtype: torch.dtype) -> None:
    x = _inputs(dtype)
    _compare(_yours(impl, name)(x), ELEMENTWISE[name](x), f"{name}(x) in {dtype}", x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name", list(ALONG_DIM))
def test_softmax_family_matches_torch_on_any_dim(
    impl: ModuleType, name: str, dim: int, dtype: torch.dtype
) -> None:
    g = torch.Generator().manual_seed(dim + 5)
    x = (torch.randn(3, 4, 5, generator=g, dtype=torch.float64) * 4).to(dtype)
    x[0, 1, 2] = 1e4  # a huge logit: naive exp overflows
    x[2, :, 0] = -1e4  # a slice of very negative logits
    got = getattr(impl, name)(x, dim=dim)
    _compare(got, ALONG_DIM[name](x, dim=dim), f"{name}(x of shape (3, 4, 5), dim={dim})", x)


def test_softmax_sums_to_one_and_masks_minus_inf(impl: ModuleType) -> None:
    x = torch.tensor([[2.0, float("-inf"), 0.5, float("-inf")], [1e4, 1e4 - 1, -1e4, 0.0]])
    got = impl.softmax(x, dim=1)
    assert torch.isfinite(got).all(), f"softmax of {x.tolist()} along dim 1 has nan/inf: {got}"
    assert torch.allclose(got.sum(1), torch.ones(2)), f"softmax rows must sum to 1, got {got}"
    assert (got[0, [1, 3]] == 0).all(), (
        f"a -inf logit (a masked position) must get probability exactly 0, got {got[0].tolist()}"
    )
    assert torch.allclose(got, F.softmax(x, dim=1), atol=1e-6), (
        f"softmax({x.tolist()}, dim=1) should be {F.softmax(x, dim=1).tolist()}, got {got}"
    )


def test_gelu_rejects_unknown_approximation(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.gelu(torch.zeros(3), approximate="erf")


# -- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*ELEMENTWISE, *ALONG_DIM])
def test_gradients_match_torch_and_stay_finite(impl: ModuleType, name: str) -> None:
    x = _inputs(torch.float64)
    weights = torch.randn(x.shape, generator=torch.Generator().manual_seed(1), dtype=x.dtype)
    grads = []
    for fn in (_yours(impl, name), ELEMENTWISE.get(name) or ALONG_DIM[name]):
        leaf = x.clone().requires_grad_()
        (fn(leaf) * weights).sum().backward()
        assert leaf.grad is not None, f"{name}: no gradient reached the input (detached?)"
        grads.append(leaf.grad)
    got, want = grads
    assert torch.isfinite(got).all(), (
        f"the gradient of your {name} is nan/inf at x = "
        f"{x[~torch.isfinite(got)].tolist()[:5]}. Even when the forward value is right, "
        "autograd differentiates every operation you wrote, including an exp that overflowed "
        "and a torch.where branch that was not selected (0 * inf = nan)."
    )
    _compare(got, want, f"d {name}(x) / dx (autograd through your code)", x)


# -- no ready-made activations -----------------------------------------------------------------
FORBIDDEN = {
    "functional",
    "sigmoid",
    "expit",
    "softmax",
    "log_softmax",
    "logsumexp",
    "relu",
    "relu6",
    "silu",
    "hardswish",
    "hardsigmoid",
    "gelu",
    "softplus",
    "logsigmoid",
}


@pytest.mark.parametrize("name", [*ELEMENTWISE, *ALONG_DIM])
def test_written_with_tensor_operations_only(impl: ModuleType, name: str) -> None:
    _yours(impl, name)(torch.zeros(2, 3))  # it must run before its source is judged
    fn_name = name.removesuffix("_tanh")
    tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(impl, fn_name))))
    used = sorted(
        {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in FORBIDDEN}
    )
    assert not used, (
        f"{fn_name} calls the ready-made {', '.join(used)}: the point is to write it from exp, "
        "log, where, clamp, amax and sum (your own functions may call each other)"
    )
