"""Tests of week6.max_pool: forward values and indices, and backward, against PyTorch.

``torch.nn.functional.max_pool2d(..., return_indices=True)`` judges the forward pass (values and
flat indices, ties included) and PyTorch's backward kernel (the one autograd runs for it) judges
the backward pass, with overlapping windows, padding and non-square kernels.
Run: ``pytest weeks/week6/tests/test_max_pool.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

# (input shape, kernel, stride, padding)
CASES = {
    "2x2_stride_2": ((2, 3, 6, 8), 2, None, 0),
    "odd_size_floor": ((1, 2, 7, 9), 2, 2, 0),
    "overlap_3x3_stride_1": ((2, 2, 6, 7), 3, 1, 0),
    "overlap_3x3_stride_2_pad_1": ((2, 3, 9, 8), 3, 2, 1),
    "non_square": ((1, 2, 8, 9), (2, 3), (1, 2), (1, 1)),
    "kernel_4_pad_2": ((1, 1, 7, 7), 4, 3, 2),
}


def _pair(v: object) -> list[int]:
    return [v, v] if isinstance(v, int) else list(v)


def _torch_pool(x: np.ndarray, kernel: object, stride: object, padding: object):
    t = torch.from_numpy(x)
    out, idx = F.max_pool2d(t, kernel, stride, padding, return_indices=True)
    return t, out, idx


def _torch_backward(grad_out: np.ndarray, x: np.ndarray, case: tuple) -> np.ndarray:
    """``aten::max_pool2d_with_indices_backward``: the kernel autograd calls for max_pool2d.

    Called directly because going through ``out.backward()`` makes torch import sympy first
    (seconds); the numbers are the same.
    """
    _, kernel, stride, padding = case
    t, _, idx = _torch_pool(x, kernel, stride, padding)
    stride = kernel if stride is None else stride
    grad = torch.ops.aten.max_pool2d_with_indices_backward(
        torch.from_numpy(grad_out),
        t,
        _pair(kernel),
        _pair(stride),
        _pair(padding),
        [1, 1],
        False,
        idx,
    )
    return grad.numpy()


def _call(impl: ModuleType, x: np.ndarray, kernel: object, stride: object, padding: object):
    if stride is None:
        return impl.max_pool2d(x, kernel, padding=padding)
    return impl.max_pool2d(x, kernel, stride, padding)


def _where(case: str) -> str:
    shape, kernel, stride, padding = CASES[case]
    return f"x {shape}, kernel={kernel}, stride={stride}, padding={padding}"


@pytest.mark.clause("out-size", "pairs", "pad-neg-inf")
@pytest.mark.parametrize("case", list(CASES))
def test_forward_matches_torch(impl: ModuleType, case: str) -> None:
    shape, kernel, stride, padding = CASES[case]
    x = np.random.default_rng(0).standard_normal(shape)
    out, _ = _call(impl, x, kernel, stride, padding)
    _, want, _ = _torch_pool(x, kernel, stride, padding)
    want = want.numpy()
    out = np.asarray(out)
    assert out.shape == want.shape, f"{_where(case)}: expected shape {want.shape}, got {out.shape}"
    assert np.allclose(out, want), (
        f"{_where(case)}: pooled values differ from PyTorch by up to "
        f"{np.max(np.abs(out - want)):.3g}"
    )


@pytest.mark.clause("indices", "ties", "pairs")
@pytest.mark.parametrize("case", list(CASES))
def test_indices_match_torch_with_ties(impl: ModuleType, case: str) -> None:
    shape, kernel, stride, padding = CASES[case]
    x = np.random.default_rng(1).integers(-2, 3, size=shape).astype(np.float64)  # many ties
    _, idx = _call(impl, x, kernel, stride, padding)
    _, _, want = _torch_pool(x, kernel, stride, padding)
    want = want.numpy()
    idx = np.asarray(idx)
    assert idx.shape == want.shape, f"{_where(case)}: indices shape {idx.shape}, want {want.shape}"
    bad = np.argwhere(idx != want)
    assert bad.size == 0, (
        f"{_where(case)}: {len(bad)} indices differ from PyTorch, first at output "
        f"{tuple(bad[0])}: got {idx[tuple(bad[0])]}, want {want[tuple(bad[0])]}. Indices are "
        "h * W + w in the UNPADDED input plane; on ties the first max in row-major order wins"
    )


@pytest.mark.clause("pad-neg-inf")
def test_padding_never_wins_for_negative_inputs(impl: ModuleType) -> None:
    x = -1.0 - np.random.default_rng(2).random((1, 2, 5, 5))  # every value in [-2, -1)
    out, idx = impl.max_pool2d(x, 3, 2, 1)
    out = np.asarray(out)
    assert np.all(out < -0.5), (
        f"with all inputs negative, padded cells must never be the max: pad with -inf, not 0 "
        f"(got pooled values up to {out.max():.3g})"
    )
    _, want, want_idx = _torch_pool(x, 3, 2, 1)
    assert np.allclose(out, want.numpy()) and np.array_equal(idx, want_idx.numpy()), (
        "negative inputs with padding=1: values or indices differ from PyTorch"
    )


@pytest.mark.clause("stride-default")
def test_default_stride_is_kernel_size(impl: ModuleType) -> None:
    x = np.random.default_rng(3).standard_normal((1, 1, 6, 6))
    out, _ = impl.max_pool2d(x, 3)
    out = np.asarray(out)
    assert out.shape == (1, 1, 2, 2), (
        f"max_pool2d(x of 6x6, 3) with stride=None must use stride 3 -> 2x2 output, got {out.shape}"
    )


@pytest.mark.clause("backward-argmax", "backward-accumulate")
@pytest.mark.parametrize("case", list(CASES))
def test_backward_matches_torch(impl: ModuleType, case: str) -> None:
    shape, kernel, stride, padding = CASES[case]
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape)
    _, idx = _call(impl, x, kernel, stride, padding)
    _, out, _ = _torch_pool(x, kernel, stride, padding)
    grad_out = rng.standard_normal(tuple(out.shape))
    want = _torch_backward(grad_out, x, CASES[case])
    got = np.asarray(impl.max_pool2d_backward(grad_out, idx, x.shape))
    assert got.shape == want.shape, f"{_where(case)}: grad shape {got.shape}, want {want.shape}"
    err = np.max(np.abs(got - want))
    assert err < 1e-12, (
        f"{_where(case)}: input gradient differs from PyTorch's by {err:.3g}. Each window's "
        "gradient goes to its argmax only, and ADDS UP where overlapping windows share a max"
    )


@pytest.mark.clause("backward-accumulate")
def test_backward_accumulates_when_one_input_wins_several_windows(impl: ModuleType) -> None:
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5.0  # the centre is the max of all four overlapping 2x2 windows
    _, idx = impl.max_pool2d(x, 2, 1)
    grad = np.asarray(impl.max_pool2d_backward(np.ones((1, 1, 2, 2)), idx, x.shape))
    assert grad[0, 0, 1, 1] == 4.0 and grad.sum() == 4.0, (
        "the centre of a 3x3 input is the max of all four 2x2 windows (stride 1): its gradient "
        f"must be 1 + 1 + 1 + 1 = 4 and every other entry 0, got\n{grad[0, 0]}"
    )


@pytest.mark.clause("backward-argmax")
def test_backward_touches_only_the_argmax(impl: ModuleType) -> None:
    x = np.random.default_rng(5).standard_normal((2, 2, 8, 8))
    _, idx = impl.max_pool2d(x, 2)
    grad_out = np.random.default_rng(6).standard_normal((2, 2, 4, 4))
    grad = np.asarray(impl.max_pool2d_backward(grad_out, idx, x.shape))
    nonzero = int(np.count_nonzero(grad))
    assert nonzero == grad_out.size, (
        f"non-overlapping 2x2 pooling of an 8x8 input: exactly one input per window (32) gets a "
        f"gradient, got {nonzero} non-zero entries. Do not spread the gradient over the window"
    )
    assert np.isclose(grad.sum(), grad_out.sum()), "the gradient's total must be preserved"


@pytest.mark.clause("no-mutation")
def test_inputs_are_not_modified(impl: ModuleType) -> None:
    x = np.random.default_rng(7).standard_normal((1, 2, 5, 5))
    before = x.copy()
    _, idx = impl.max_pool2d(x, 3, 1, 1)
    idx_before = np.array(idx, copy=True)
    impl.max_pool2d_backward(np.ones(np.shape(idx)), idx, x.shape)
    assert np.array_equal(x, before), "max_pool2d modified its input x"
    assert np.array_equal(idx, idx_before), "max_pool2d_backward modified the indices"


@pytest.mark.clause("padding-range", "kernel-stride-range", "window-fits")
@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "why"),
    [
        (2, 2, 2, "padding 2 is more than half a kernel of 2"),
        (3, 0, 0, "stride 0"),
        (6, 1, 0, "a 6x6 window does not fit a 5x5 input"),
        (3, 1, 2, "padding 2 is more than half a kernel of 3"),
        (3, 1, -1, "negative padding"),
        (5, -1, 0, "a negative stride"),
        (0, 1, 0, "kernel 0"),
    ],
)
def test_invalid_arguments_raise(
    impl: ModuleType, kernel: int, stride: int, padding: int, why: str
) -> None:
    with pytest.raises(ValueError):
        impl.max_pool2d(np.zeros((1, 1, 5, 5)), kernel, stride, padding)
        pytest.fail(f"max_pool2d should raise ValueError: {why}")


# -- judged against the reference -------------------------------------------------------------


def _started(impl: ModuleType) -> None:
    """Raise the stub's NotImplementedError before comparing: a stub is *not started*, not
    *wrong*, even on inputs where the reference raises."""
    impl.max_pool2d(np.ones((1, 1, 2, 2)), 2)
    impl.max_pool2d_backward(np.ones((1, 1, 1, 1)), np.zeros((1, 1, 1, 1), np.int64), (1, 1, 2, 2))


_SIZES = st.one_of(st.integers(-1, 4), st.tuples(st.integers(-1, 4), st.integers(-1, 4)))


@pytest.mark.clause(
    "pairs", "stride-default", "pad-neg-inf", "padding-range", "out-size", "indices", "ties",
    "kernel-stride-range", "window-fits", "x-4d",
)  # fmt: skip
@given(
    x=diff.float_arrays(min_dims=3, max_dims=5, min_side=1, max_side=5),
    kernel=_SIZES,
    stride=st.one_of(st.none(), _SIZES),
    padding=_SIZES,
)
@example(x=np.zeros((0, 2, 4, 4)), kernel=2, stride=None, padding=0)
@example(x=-np.ones((1, 1, 3, 3)), kernel=3, stride=1, padding=1)
@example(x=np.ones((1, 1, 3, 3)), kernel=3, stride=-1, padding=0)
@example(x=np.ones((1, 1, 5, 5)), kernel=3, stride=1, padding=2)
@example(x=np.ones((1, 1, 4, 5)), kernel=(2, 3), stride=(1, 2), padding=(1, 0))
def test_forward_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, x: np.ndarray, kernel, stride, padding
) -> None:
    """Max pooling picks an element: values and indices must be exactly the reference's, and
    invalid arguments must raise the same error when called."""
    _started(impl)
    diff.assert_same(
        lambda: impl.max_pool2d(x, kernel, stride, padding),
        lambda: reference.max_pool2d(x, kernel, stride, padding),
        rtol=0.0,
    )


@pytest.mark.clause("indices")
def test_indices_are_int64(impl: ModuleType) -> None:
    x = np.random.default_rng(8).standard_normal((1, 2, 4, 4))
    _, idx = impl.max_pool2d(x, 2)
    assert np.asarray(idx).dtype == np.int64, (
        f"indices must be int64 (PyTorch's convention), got {np.asarray(idx).dtype}"
    )


@pytest.mark.clause("backward-argmax", "backward-accumulate", "backward-shapes")
@given(
    x=diff.float_arrays(min_dims=4, max_dims=4, min_side=1, max_side=5),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 1),
    grad_shape=st.sampled_from(["same", "one", "fewer_planes", "3d"]),
)
def test_backward_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, x, kernel, stride, padding, grad_shape
) -> None:
    """Backward adds at most ``kernel ** 2`` gradients into one cell: the tolerance allows any
    summation order."""
    _started(impl)
    padding = min(padding, kernel // 2)
    try:
        _, idx = reference.max_pool2d(x, kernel, stride, padding)
    except ValueError:
        return  # the window does not fit: the forward test covers it
    rng = np.random.default_rng(x.size)
    shape = {
        "same": idx.shape,
        "one": idx.shape[:2] + (1, 1),
        "fewer_planes": (idx.shape[0], idx.shape[1] + 1) + idx.shape[2:],
        "3d": idx.shape[1:],
    }[grad_shape]
    grad_out = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4)
    scale = kernel * kernel * float(np.abs(grad_out).max(initial=0.0))
    diff.assert_same(
        impl.max_pool2d_backward,
        reference.max_pool2d_backward,
        grad_out,
        idx,
        x.shape,
        rtol=1e-12,
        atol=1e-14 * scale,
    )


@pytest.mark.clause("backward-shapes")
def test_backward_rejects_a_grad_out_that_only_broadcasts(impl: ModuleType) -> None:
    _, idx = impl.max_pool2d(np.random.default_rng(9).standard_normal((1, 1, 4, 4)), 2)
    with pytest.raises(ValueError):
        impl.max_pool2d_backward(np.ones((1, 1, 1, 1)), idx, (1, 1, 4, 4))
        pytest.fail("grad_out (1, 1, 1, 1) and indices (1, 1, 2, 2) differ in shape: ValueError")


@pytest.mark.clause("vectorized")
def test_forward_runs_no_python_loop_over_positions(impl: ModuleType) -> None:
    rng = np.random.default_rng(10)
    small, large = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((2, 3, 24, 24))
    impl.max_pool2d(small, 2)  # warm up imports
    lines_small = diff.python_lines(lambda: impl.max_pool2d(small, 2))
    lines_large = diff.python_lines(lambda: impl.max_pool2d(large, 2))
    assert lines_large <= lines_small + 40, (
        f"max_pool2d ran {lines_small} Python lines for a 2x2 output but {lines_large} for a "
        "12x12 one: do not loop over output positions in Python, use a sliding-window view"
    )


@pytest.mark.clause("backward-cost")
def test_backward_cost_does_not_grow_with_the_kernel(impl: ModuleType) -> None:
    rng = np.random.default_rng(11)
    small, large = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((1, 2, 32, 32))
    _, idx_small = impl.max_pool2d(small, 2)
    _, idx_large = impl.max_pool2d(large, 16)  # the same 2x2 outputs, 64 times the input
    grad = rng.standard_normal((1, 2, 2, 2))
    impl.max_pool2d_backward(grad, idx_small, small.shape)  # warm up imports
    lines_small = diff.python_lines(lambda: impl.max_pool2d_backward(grad, idx_small, small.shape))
    lines_large = diff.python_lines(lambda: impl.max_pool2d_backward(grad, idx_large, large.shape))
    assert lines_large <= lines_small + 40, (
        f"max_pool2d_backward ran {lines_small} Python lines for 2x2 windows but {lines_large} "
        "for 16x16 windows with the same 8 outputs: the backward costs O(number of outputs), "
        "scatter-add each output's gradient to its index instead of scanning windows or inputs"
    )
