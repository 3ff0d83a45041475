"""Tests of week6.conv2d_im2col: output size, im2col layout, and conv2d against PyTorch.

``torch.nn.functional.unfold`` is the judge of ``im2col`` and ``torch.nn.functional.conv2d`` the
judge of ``conv2d`` and ``conv2d_naive`` (float64, tolerance 1e-9), over stride, padding,
dilation, groups (incl. depthwise) and non-square kernels. Differential tests judge the same
calls against the reference solution (``reference``), including invalid arguments.
Run: ``pytest weeks/week6/tests/test_conv2d_im2col.py``.
"""

from __future__ import annotations

import tracemalloc
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

# (N, C, H, W, O, kernel, stride, padding, dilation, groups, bias)
CASES = {
    "basic_3x3": (2, 3, 7, 8, 4, (3, 3), 1, 0, 1, 1, True),
    "stride_2": (1, 2, 9, 9, 3, (3, 3), 2, 0, 1, 1, True),
    "padding_1": (2, 3, 5, 6, 2, (3, 3), 1, 1, 1, 1, True),
    "stride_2_padding_2": (1, 3, 8, 7, 4, (3, 3), 2, 2, 1, 1, False),
    "dilation_2": (1, 2, 9, 10, 3, (3, 3), 1, 0, 2, 1, True),
    "dilation_padding": (2, 2, 7, 7, 2, (3, 3), 1, 2, 2, 1, True),
    "groups_2": (2, 4, 6, 6, 6, (3, 3), 1, 1, 1, 2, True),
    "depthwise": (1, 5, 7, 7, 5, (3, 3), 1, 1, 1, 5, True),
    "depthwise_multiplier_2": (2, 3, 6, 5, 6, (3, 3), 2, 1, 1, 3, False),
    "non_square_kernel": (1, 3, 8, 9, 4, (2, 5), 1, 0, 1, 1, True),
    "pairs_everywhere": (2, 4, 10, 11, 4, (3, 2), (1, 2), (0, 2), (2, 1), 2, True),
    "pointwise_1x1": (3, 6, 4, 4, 2, (1, 1), 1, 0, 1, 1, True),
    "kernel_covers_input": (1, 2, 5, 5, 3, (5, 5), 1, 0, 1, 1, True),
}


def _data(case: tuple, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    n, c, h, w, o, (kh, kw), *_, groups, bias = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    weights = rng.standard_normal((o, c // groups, kh, kw))
    return x, weights, (rng.standard_normal(o) if bias else None)


def _torch_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *args: object) -> np.ndarray:
    bias = None if b is None else torch.from_numpy(b)
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(w), bias, *args).numpy()


def _describe(case: tuple) -> str:
    n, c, h, w, o, kernel, stride, padding, dilation, groups, bias = case
    return (
        f"x {(n, c, h, w)}, w {(o, c // groups, *kernel)}, {stride=}, {padding=}, {dilation=}, "
        f"{groups=}, bias={bias}"
    )


def _assert_close(got: np.ndarray, want: np.ndarray, what: str) -> None:
    got = np.asarray(got)
    assert got.shape == want.shape, f"{what}: expected shape {want.shape}, got {got.shape}"
    err = float(np.max(np.abs(got - want))) if want.size else 0.0
    assert err < 1e-9, f"{what}: max abs difference from PyTorch is {err:.3g} (want < 1e-9)"


# -- conv_output_size ----------------------------------------------------------------------------
@pytest.mark.clause("output-size")
@pytest.mark.parametrize(
    ("args", "want"),
    [
        ((7, 3, 1, 0, 1), 5),
        ((7, 3, 2, 0, 1), 3),
        ((8, 3, 2, 1, 1), 4),
        ((9, 3, 1, 0, 2), 5),
        ((5, 5, 1, 0, 1), 1),
        ((224, 7, 2, 3, 1), 112),
        ((10, 3, 3, 2, 2), 4),
    ],
)
def test_output_size_formula(impl: ModuleType, args: tuple[int, ...], want: int) -> None:
    got = impl.conv_output_size(*args)
    assert got == want, (
        f"conv_output_size(size, kernel, stride, padding, dilation={args}) should be {want} "
        f"((size + 2p - d(k - 1) - 1) // s + 1), got {got}"
    )


# -- im2col ----------------------------------------------------------------------------------------
@pytest.mark.clause("im2col", "pairs")
@pytest.mark.parametrize(
    "name",
    [
        "basic_3x3",
        "stride_2_padding_2",
        "dilation_padding",
        "pairs_everywhere",
        "non_square_kernel",
    ],
)
def test_im2col_matches_torch_unfold(impl: ModuleType, name: str) -> None:
    case = CASES[name]
    x, w, _ = _data(case)
    kernel, stride, padding, dilation = case[5:9]
    got = impl.im2col(x, kernel, stride, padding, dilation)
    want = F.unfold(torch.from_numpy(x), kernel, dilation, padding, stride).numpy()
    _assert_close(
        got,
        want,
        f"im2col({_describe(case)}) (rows: c * kh * kw + u * kw + v, columns: i * out_w + j)",
    )


# -- conv2d ----------------------------------------------------------------------------------------
@pytest.mark.clause("conv2d", "cross-correlation", "groups", "padding", "pairs", "bias")
@pytest.mark.parametrize("name", list(CASES))
def test_conv2d_matches_torch(impl: ModuleType, name: str) -> None:
    case = CASES[name]
    x, w, b = _data(case)
    stride, padding, dilation, groups = case[6:10]
    got = impl.conv2d(x, w, b, stride, padding, dilation, groups)
    want = _torch_conv(x, w, b, stride, padding, dilation, groups)
    _assert_close(got, want, f"conv2d with {_describe(case)}")


@pytest.mark.clause("naive")
@pytest.mark.parametrize(
    "name", ["basic_3x3", "stride_2_padding_2", "pairs_everywhere", "depthwise"]
)
def test_conv2d_naive_matches_torch(impl: ModuleType, name: str) -> None:
    case = CASES[name]
    x, w, b = _data(case, seed=1)
    stride, padding, dilation, groups = case[6:10]
    got = impl.conv2d_naive(x, w, b, stride, padding, dilation, groups)
    want = _torch_conv(x, w, b, stride, padding, dilation, groups)
    _assert_close(got, want, f"conv2d_naive with {_describe(case)}")


@pytest.mark.clause("cross-correlation")
def test_conv2d_is_cross_correlation_not_convolution(impl: ModuleType) -> None:
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, 0.0]]]])  # selects the top-left element of each window
    got = np.asarray(impl.conv2d(x, w))
    want = np.array([[0.0, 1.0], [3.0, 4.0]])
    assert got.shape == (1, 1, 2, 2) and np.allclose(got[0, 0], want), (
        f"a kernel with a single 1 at the top-left must copy each window's top-left input "
        f"{want.tolist()}, got {got.reshape(-1).tolist()}. Deep-learning conv is a "
        "cross-correlation: do not flip the kernel"
    )


@pytest.mark.clause("padding")
def test_padding_is_symmetric_zeros(impl: ModuleType) -> None:
    x = np.ones((1, 1, 2, 2))
    w = np.ones((1, 1, 3, 3))
    got = np.asarray(impl.conv2d(x, w, padding=1))
    want = np.full((2, 2), 4.0)  # every 3x3 window of the zero-padded 4x4 sees all four ones
    assert got.shape == (1, 1, 2, 2) and np.allclose(got[0, 0], want), (
        f"3x3 ones over a 2x2 ones input with padding=1 (one zero row/column on EACH side) "
        f"should give {want.tolist()}, got {got.reshape(-1).tolist()}"
    )


@pytest.mark.clause("conv2d", "groups", "pairs")
@settings(
    derandomize=True,
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    n=st.integers(1, 2),
    cin_per_group=st.integers(1, 3),
    out_per_group=st.integers(1, 3),
    groups=st.integers(1, 3),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    ph=st.integers(0, 2),
    pw=st.integers(0, 2),
    dh=st.integers(1, 3),
    dw=st.integers(1, 3),
    extra_h=st.integers(0, 5),
    extra_w=st.integers(0, 5),
    seed=st.integers(0, 2**16),
)
def test_conv2d_matches_torch_on_random_shapes(
    impl: ModuleType,
    n: int,
    cin_per_group: int,
    out_per_group: int,
    groups: int,
    kh: int,
    kw: int,
    sh: int,
    sw: int,
    ph: int,
    pw: int,
    dh: int,
    dw: int,
    extra_h: int,
    extra_w: int,
    seed: int,
) -> None:
    c, o = cin_per_group * groups, out_per_group * groups
    h = max(1, dh * (kh - 1) + 1 - 2 * ph) + extra_h  # the dilated kernel always fits
    w_ = max(1, dw * (kw - 1) + 1 - 2 * pw) + extra_w
    case = (n, c, h, w_, o, (kh, kw), (sh, sw), (ph, pw), (dh, dw), groups, True)
    x, w, b = _data(case, seed)
    got = impl.conv2d(x, w, b, (sh, sw), (ph, pw), (dh, dw), groups)
    want = _torch_conv(x, w, b, (sh, sw), (ph, pw), (dh, dw), groups)
    _assert_close(got, want, f"conv2d with {_describe(case)}")


@pytest.mark.clause("no-mutation")
def test_conv2d_does_not_modify_inputs(impl: ModuleType) -> None:
    x, w, b = _data(CASES["padding_1"])
    copies = (x.copy(), w.copy(), b.copy())
    impl.conv2d(x, w, b, 1, 1)
    for name, before, after in zip(("x", "w", "b"), copies, (x, w, b), strict=True):
        assert np.array_equal(before, after), f"conv2d modified its input {name} in place"


@pytest.mark.clause("w-channels", "groups-divisible", "kernel-fits", "ndim")
@pytest.mark.parametrize(
    ("x_shape", "w_shape", "groups", "why"),
    [
        ((1, 4, 5, 5), (2, 3, 3, 3), 1, "w has 3 input channels but x has 4"),
        ((1, 4, 5, 5), (3, 2, 3, 3), 2, "3 output channels cannot be split into 2 groups"),
        ((1, 3, 5, 5), (3, 1, 3, 3), 2, "3 input channels cannot be split into 2 groups"),
        ((1, 1, 2, 2), (1, 1, 3, 3), 1, "a 3x3 kernel does not fit a 2x2 input without padding"),
        ((4, 5, 5), (1, 4, 3, 3), 1, "x is not 4-D (N, C, H, W)"),
    ],
)
def test_conv2d_rejects_inconsistent_shapes(
    impl: ModuleType, x_shape: tuple, w_shape: tuple, groups: int, why: str
) -> None:
    x, w = np.zeros(x_shape), np.zeros(w_shape)
    with pytest.raises(ValueError):
        impl.conv2d(x, w, groups=groups)
        pytest.fail(f"conv2d should raise ValueError: {why}")


@pytest.mark.clause("no-mutation")
def test_naive_and_im2col_do_not_modify_inputs(impl: ModuleType) -> None:
    x, w, b = _data(CASES["padding_1"])
    copies = (x.copy(), w.copy(), b.copy())
    impl.conv2d_naive(x, w, b, 1, 1)
    for kernel, padding in ((3, 1), (1, 0)):
        cols = impl.im2col(x, kernel, 1, padding)
        assert not np.shares_memory(cols, x), (
            f"im2col(x, kernel_size={kernel}, padding={padding}) returned a view of x: return "
            "a new array (writing into the columns would change x)"
        )
    for name, before, after in zip(("x", "w", "b"), copies, (x, w, b), strict=True):
        assert np.array_equal(before, after), f"conv2d_naive or im2col modified {name}"


def _bad(kwargs: dict, problem: str, clause: str) -> Any:
    return pytest.param(kwargs, problem, marks=pytest.mark.clause(clause), id=problem)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        _bad({"stride": 0}, "stride=0", "params-range"),
        _bad({"stride": (1, 0)}, "stride=(1, 0)", "params-range"),
        _bad({"dilation": 0}, "dilation=0", "params-range"),
        _bad({"dilation": (0, 1)}, "dilation=(0, 1)", "params-range"),
        _bad({"padding": -1}, "padding=-1", "params-range"),
        _bad({"padding": (0, -1)}, "padding=(0, -1)", "params-range"),
        _bad({"b": np.zeros(3)}, "a bias of 3 values for 2 output channels", "bias-shape"),
        _bad({"b": np.zeros((2, 1))}, "a bias of shape (2, 1)", "bias-shape"),
        _bad({"groups": 0}, "groups=0", "groups-divisible"),
        _bad({"w": np.zeros((2, 4, 3))}, "3-D w", "ndim"),
        _bad({"w": np.zeros(4)}, "1-D w", "ndim"),
        _bad({"w": np.zeros((2, 3, 3, 3))}, "w with 3 input channels, x with 4", "w-channels"),
        _bad({"x": np.zeros((1, 1, 4, 5, 5))}, "5-D x", "ndim"),
        _bad({"w": np.zeros((2, 4, 6, 3))}, "a kernel taller than the input", "kernel-fits"),
        _bad({"dilation": 3}, "a dilated kernel larger than the input", "kernel-fits"),
    ],
)
@pytest.mark.parametrize("fn", ["conv2d", "conv2d_naive"])
def test_bad_arguments_raise_value_error(
    impl: ModuleType, kwargs: dict, problem: str, fn: str
) -> None:
    args = {"x": np.zeros((1, 4, 5, 5)), "w": np.zeros((2, 4, 3, 3)), **kwargs}
    with pytest.raises(ValueError):
        getattr(impl, fn)(**args)
        pytest.fail(f"{fn} should raise ValueError for {problem}", pytrace=False)


@pytest.mark.clause("params-range", "kernel-fits", "ndim")
@pytest.mark.parametrize(
    "kwargs",
    [{"stride": 0}, {"dilation": (1, 0)}, {"padding": -2}, {"kernel_size": 6}, {"x": np.zeros(5)}],
    ids=["stride=0", "dilation=(1,0)", "padding=-2", "kernel 6 > 5", "1-D x"],
)
def test_im2col_rejects_bad_arguments(impl: ModuleType, kwargs: dict) -> None:
    args = {"x": np.zeros((1, 2, 5, 5)), "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError):
        impl.im2col(**args)
        pytest.fail(f"im2col should raise ValueError for {kwargs}", pytrace=False)


# -- differential ------------------------------------------------------------------------------
@st.composite
def _conv_case(draw: st.DrawFn) -> dict[str, Any]:
    groups = draw(st.integers(1, 3))
    c, o = draw(st.integers(1, 2)) * groups, draw(st.integers(1, 2)) * groups
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    pair = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
    padding = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2))))
    kind = draw(st.sampled_from(["normal", "zeros", "constant", "large"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    make = {
        "normal": lambda shape: rng.standard_normal(shape),
        "zeros": np.zeros,
        "constant": lambda shape: np.full(shape, -1.5),
        "large": lambda shape: rng.standard_normal(shape) * 1e6,
    }[kind]
    return {
        "x": make((draw(st.integers(1, 2)), c, h, w)),
        "w": make((o, c // groups, kh, kw)),
        "b": draw(st.sampled_from([None, "bias"])) and make((o,)),
        "stride": draw(pair),
        "padding": padding,
        "dilation": draw(pair),
        "groups": draw(st.sampled_from([groups, groups, 2])),  # sometimes inconsistent
    }


def _conv_atol(case: dict[str, Any]) -> float:
    """Sums of C/groups * kh * kw products in any order: a few ulps of the largest product sum."""
    x, w = case["x"], case["w"]
    terms = w[0].size if w.ndim == 4 and w.size else 1
    big = float(np.abs(x).max(initial=0)) * float(np.abs(w).max(initial=0)) * terms
    return 1e-14 * big + 1e-300


@pytest.mark.clause(
    "conv2d", "naive", "im2col", "cross-correlation", "groups", "padding", "pairs", "bias",
    "groups-divisible", "kernel-fits",
)  # fmt: skip
@given(case=_conv_case())
@example(
    case={"x": np.arange(9.0).reshape(1, 1, 3, 3), "w": np.ones((1, 1, 2, 2)), "b": None,
          "stride": (2, 1), "padding": (1, 0), "dilation": 1, "groups": 1}
)  # fmt: skip
def test_conv2d_naive_and_im2col_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: dict[str, Any]
) -> None:
    atol = _conv_atol(case)
    diff.assert_same(impl.conv2d, reference.conv2d, rtol=1e-9, atol=atol, **case)
    diff.assert_same(impl.conv2d_naive, reference.conv2d_naive, rtol=1e-9, atol=atol, **case)
    kernel = case["w"].shape[2:]
    params = {k: case[k] for k in ("stride", "padding", "dilation")}
    diff.assert_same(impl.im2col, reference.im2col, case["x"], kernel, **params)


@pytest.mark.clause("no-loops")
def test_conv2d_has_no_loop_over_output_positions(impl: ModuleType) -> None:
    rng = np.random.default_rng(5)
    w = rng.standard_normal((4, 2, 3, 3))
    small, big = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((1, 2, 40, 40))
    impl.conv2d(small, w)
    few = diff.python_lines(lambda: impl.conv2d(small, w))
    many = diff.python_lines(lambda: impl.conv2d(big, w))
    assert many <= few + 30, (
        f"conv2d ran {few} Python lines for a 3 x 3 output and {many} for 38 x 38: a Python "
        "loop over output positions (or rows, or columns). Build the columns with im2col and "
        "multiply once"
    )


@pytest.mark.clause("complexity")
def test_conv2d_memory_is_the_columns_and_the_output(impl: ModuleType) -> None:
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 4, 20, 20)), rng.standard_normal((16, 4, 3, 3))
    cols = 2 * 4 * 9 * 18 * 18 * 8
    out = 2 * 16 * 18 * 18 * 8
    impl.conv2d(x[:1, :, :5, :5], w)  # warm up
    tracemalloc.start()
    try:
        impl.conv2d(x, w)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 3 * (cols + out) + 2 * x.nbytes, (
        f"conv2d peaked at {peak // 1024} KiB; the column matrix is {cols // 1024} KiB and the "
        f"output {out // 1024} KiB. Multiply the weights with the columns (a matmul), do not "
        "broadcast an (N, O, C * kh * kw, out_h * out_w) product"
    )
