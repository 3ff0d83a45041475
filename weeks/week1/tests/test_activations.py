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
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

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


def _scale(x: torch.Tensor, dim: int | None) -> torch.Tensor:
    """How large the inputs behind each output are: ``|x|`` elementwise, the largest ``|x|`` of
    the slice for the softmax family (``x - max - log(sum)`` and ``x - logsumexp(x)`` round
    differently by a few eps of that size)."""
    a = x.detach().abs().nan_to_num(posinf=0.0, neginf=0.0)
    return a if dim is None else a.amax(dim=dim, keepdim=True).expand_as(a)


def _yours(impl: ModuleType, name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    if name == "gelu_tanh":
        return lambda x: impl.gelu(x, approximate="tanh")
    return getattr(impl, name)


def _inputs(dtype: torch.dtype) -> torch.Tensor:
    """Random values times 4 (shape (6, 17)) with a last row of extremes +-1e4, +-88.8, 0."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, len(EXTREMES), generator=g, dtype=torch.float64) * 4
    return torch.cat([x, torch.tensor([EXTREMES], dtype=torch.float64)]).to(dtype)


def _compare(
    got: torch.Tensor, want: torch.Tensor, what: str, x: torch.Tensor, dim: int | None = None
) -> None:
    assert got.shape == want.shape and got.dtype == want.dtype, (
        f"{what} should keep shape {tuple(want.shape)} and dtype {want.dtype}, got "
        f"{tuple(got.shape)} {got.dtype}"
    )
    # the fixed tolerance, or the rounding a correct formula makes at inputs of this size
    slack = 16 * torch.finfo(want.dtype).eps * _scale(x, dim).to(want.dtype)
    tol = TOL[want.dtype]
    close = (got - want).abs() <= tol["atol"] + slack + (tol["rtol"] + slack) * want.abs()
    same_inf = torch.isinf(want) & (got == want)
    bad = ~((close & torch.isfinite(got)) | same_inf)
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
@pytest.mark.clause(
    "relu", "sigmoid", "sigmoid-stable", "silu", "hard-swish", "gelu", "gelu-tanh", "shape-dtype"
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_matches_torch(impl: ModuleType, name: str, dtype: torch.dtype) -> None:
    x = _inputs(dtype)
    _compare(_yours(impl, name)(x), ELEMENTWISE[name](x), f"{name}(x) in {dtype}", x)


@pytest.mark.clause(
    "softmax",
    "softmax-stable",
    "softmax-dim",
    "log-softmax",
    "log-softmax-dim",
    "log-softmax-finite",
)
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
    _compare(got, ALONG_DIM[name](x, dim=dim), f"{name}(x of shape (3, 4, 5), dim={dim})", x, dim)


@pytest.mark.clause("softmax", "softmax-mask")
def test_softmax_sums_to_one_and_masks_minus_inf(impl: ModuleType) -> None:
    x = torch.tensor([[2.0, float("-inf"), 0.5, float("-inf")], [1e4, 1e4 - 1, -1e4, 0.0]])
    got = impl.softmax(x, dim=1)
    assert torch.isfinite(got).all(), f"softmax of {x.tolist()} along dim 1 has nan/inf: {got}"
    # each row sums to 1 within the conditioning of its inputs (eps times their size)
    slack = 16 * torch.finfo(x.dtype).eps * _scale(x, 1)[:, 0]
    assert ((got.sum(1) - 1).abs() <= 1e-6 + slack).all(), f"softmax rows must sum to 1, got {got}"
    assert (got[0, [1, 3]] == 0).all(), (
        f"a -inf logit (a masked position) must get probability exactly 0, got {got[0].tolist()}"
    )
    _compare(got, F.softmax(x, dim=1), f"softmax({x.tolist()}, dim=1)", x, 1)


@pytest.mark.clause("gelu-invalid")
def test_gelu_rejects_unknown_approximation(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.gelu(torch.zeros(3), approximate="erf")


# -- gradients ---------------------------------------------------------------------------------
@pytest.mark.clause("gradients", "sigmoid-grad", "relu-grad-at-zero")
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
    _compare(
        got,
        want,
        f"d {name}(x) / dx (autograd through your code)",
        x,
        -1 if name in ALONG_DIM else None,
    )


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


@pytest.mark.clause("no-ready-made")
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


# -- differential: the reference on the same inputs, degenerate and extreme ones included ---------
def _judge(dim: int | None) -> Callable[[Any, Any], str | None]:
    def compare(got: Any, want: Any) -> str | None:
        got_value, got_grad, x = got
        want_value, want_grad, _ = want
        for what, g, w in (("value", got_value, want_value), ("gradient", got_grad, want_grad)):
            try:
                _compare(g, w, what, x, dim)
            except (AssertionError, pytest.fail.Exception) as exc:
                return f"the {what}: {exc}"
        return None

    return compare


def _value_and_grad(fn: Callable[..., torch.Tensor], x: torch.Tensor, **kwargs: Any) -> tuple:
    leaf = x.clone().requires_grad_()
    out = fn(leaf, **kwargs)
    weights = torch.linspace(-1, 2, out.numel(), dtype=out.dtype).reshape(out.shape)
    (out * weights).sum().backward()
    return out.detach(), leaf.grad, x


ARRAYS = diff.float_arrays(min_dims=1, max_dims=3, min_side=1, max_side=4, magnitude=1e4)


@pytest.mark.clause("relu", "relu-grad-at-zero", "sigmoid", "sigmoid-grad", "sigmoid-stable")
@pytest.mark.clause("silu", "hard-swish", "gelu", "gelu-tanh", "shape-dtype", "gradients")
@given(
    x=ARRAYS,
    name=st.sampled_from(list(ELEMENTWISE)),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
@example(x=np.array([-3.0, 3.0, 0.0, -88.8, 88.8, -745.0, 1e4, -1e4]), name="hard_swish",
         dtype=torch.float64)  # fmt: skip
def test_elementwise_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, x: np.ndarray, name: str, dtype: torch.dtype
) -> None:
    t = torch.from_numpy(x).to(dtype)
    got = _value_and_grad(_yours(impl, name), t)
    want = _value_and_grad(_yours(reference, name), t)
    problem = _judge(None)(got, want)
    assert problem is None, f"{name} on {diff.describe(x)} ({dtype}): {problem}"


@pytest.mark.clause("softmax", "softmax-stable", "softmax-dim", "softmax-mask")
@pytest.mark.clause("log-softmax", "log-softmax-dim", "log-softmax-finite", "gradients")
@given(
    x=ARRAYS,
    name=st.sampled_from(list(ALONG_DIM)),
    dtype=st.sampled_from([torch.float32, torch.float64]),
    data=st.data(),
    mask=st.booleans(),
)
def test_softmax_family_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    x: np.ndarray,
    name: str,
    dtype: torch.dtype,
    data: Any,
    mask: bool,
) -> None:
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1), label="dim")
    t = torch.from_numpy(x).to(dtype)
    if mask and name == "softmax" and t.shape[dim] > 1:
        t.select(dim, 0).fill_(float("-inf"))  # a masked position, never the whole slice
    got = _value_and_grad(getattr(impl, name), t, dim=dim)
    want = _value_and_grad(getattr(reference, name), t, dim=dim)
    problem = _judge(dim)(got, want)
    assert problem is None, f"{name}(x, dim={dim}) on {diff.describe(x)} ({dtype}): {problem}"


@pytest.mark.clause("gelu-invalid")
@pytest.mark.parametrize("approximate", ["erf", "", "TANH", "None", None])
def test_gelu_rejects_what_the_reference_rejects(
    impl: ModuleType, reference: ModuleType, approximate: Any
) -> None:
    x = torch.linspace(-3, 3, 7, dtype=torch.float64)
    diff.assert_same(
        impl.gelu,
        reference.gelu,
        x,
        approximate=approximate,
        compare=lambda g, w: None if torch.allclose(g, w, rtol=1e-12) else f"{g} != {w}",
    )
