"""Tests of week6.gradient_clipping: clip by global norm and by value, against torch.nn.utils.

``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_`` run on tensor copies of the same
gradients; values and the returned norm must agree. Also: one global norm (not one per tensor),
zero gradients, and inputs left untouched. Run:
``pytest weeks/week6/tests/test_gradient_clipping.py``.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

SHAPES = [(3, 4), (7,), (2, 3, 2), (1,)]


def _grads(seed: int, scale: float = 1.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(s) for s in SHAPES]


def _torch_clip_norm(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.from_numpy(g.copy())
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(norm)


def _torch_clip_value(grads: list[np.ndarray], clip: float) -> list[np.ndarray]:
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_value_(params, clip)
    return [p.grad.numpy() for p in params]


def _assert_arrays(got: list, want: list[np.ndarray], what: str) -> None:
    assert len(got) == len(want), f"{what}: expected {len(want)} arrays, got {len(got)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        g = np.asarray(g)
        assert g.shape == w.shape, f"{what}: array {i} has shape {g.shape}, want {w.shape}"
        assert np.allclose(g, w, rtol=1e-12, atol=1e-15), (
            f"{what}: array {i} differs from torch by up to {np.max(np.abs(g - w)):.3g}"
        )


@pytest.mark.clause("global-norm", "scale")
@pytest.mark.parametrize(("scale", "max_norm"), [(1.0, 1.0), (10.0, 2.5), (0.01, 1.0), (1.0, 0.0)])
def test_clip_grad_norm_matches_torch(impl: ModuleType, scale: float, max_norm: float) -> None:
    grads = _grads(0, scale)
    got, norm = impl.clip_grad_norm(grads, max_norm)
    want, want_norm = _torch_clip_norm(grads, max_norm)
    assert math.isclose(norm, want_norm, rel_tol=1e-12), (
        f"the returned norm must be the global L2 norm BEFORE clipping, {want_norm:.10g}; "
        f"got {norm:.10g}"
    )
    _assert_arrays(got, want, f"clip_grad_norm(grads scaled by {scale}, max_norm={max_norm})")


@pytest.mark.clause("global-norm", "scale")
def test_one_global_norm_not_one_per_tensor(impl: ModuleType) -> None:
    got, norm = impl.clip_grad_norm([np.array([3.0, 0.0]), np.array([0.0, 4.0])], 1.0)
    norms = [float(np.linalg.norm(g)) for g in got]
    assert math.isclose(norm, 5.0), f"the global norm of [3, 0] and [0, 4] is 5, got {norm}"
    assert np.allclose(norms, [0.6, 0.8], atol=1e-6), (
        "both tensors must be scaled by the same factor max_norm / global_norm = 1/5, giving "
        f"norms 0.6 and 0.8; got {np.round(norms, 4).tolist()} (clipping each tensor on its "
        "own changes the direction of the update)"
    )


@pytest.mark.clause("scale")
def test_small_gradients_are_not_scaled_up(impl: ModuleType) -> None:
    grads = _grads(1, 0.01)
    got, norm = impl.clip_grad_norm(grads, 100.0)
    _assert_arrays(got, grads, f"global norm {norm:.3g} < max_norm=100: gradients unchanged")


@pytest.mark.clause("scale")
def test_zero_gradients_give_no_nan(impl: ModuleType) -> None:
    grads = [np.zeros((2, 3)), np.zeros(4)]
    with np.errstate(all="raise"):
        try:
            got, norm = impl.clip_grad_norm(grads, 1.0)
        except FloatingPointError as exc:
            pytest.fail(f"all-zero gradients must not divide by zero ({exc}): add 1e-6")
    assert norm == 0.0, f"the norm of all-zero gradients is 0, got {norm}"
    assert all(np.array_equal(g, np.zeros_like(g)) for g in got), "zero gradients stay zero"


@pytest.mark.clause("empty")
def test_empty_list(impl: ModuleType) -> None:
    got, norm = impl.clip_grad_norm([], 1.0)
    assert list(got) == [] and norm == 0.0, f"an empty list gives ([], 0.0), got {(got, norm)}"


@pytest.mark.clause("new-arrays")
def test_inputs_are_not_modified(impl: ModuleType) -> None:
    grads = _grads(2, 10.0)
    before = [g.copy() for g in grads]
    got, _ = impl.clip_grad_norm(grads, 1.0)
    assert all(np.array_equal(a, b) for a, b in zip(grads, before, strict=True)), (
        "clip_grad_norm modified the input arrays: return new arrays instead"
    )
    assert all(a is not b for a, b in zip(got, grads, strict=True)), (
        "clip_grad_norm must return new arrays, not the inputs themselves"
    )
    impl.clip_grad_value(grads, 0.1)
    assert all(np.array_equal(a, b) for a, b in zip(grads, before, strict=True)), (
        "clip_grad_value modified the input arrays"
    )


@pytest.mark.clause("new-arrays")
def test_dtype_is_kept(impl: ModuleType) -> None:
    grads = [np.ones(3, dtype=np.float32) * 5, np.ones(2, dtype=np.float32)]
    got, _ = impl.clip_grad_norm(grads, 1.0)
    dtypes = [np.asarray(g).dtype for g in got]
    assert dtypes == [np.float32, np.float32], f"float32 gradients must stay float32, got {dtypes}"


@pytest.mark.clause("clip-value")
@pytest.mark.parametrize("clip", [0.5, 1.0, 3.0])
def test_clip_grad_value_matches_torch(impl: ModuleType, clip: float) -> None:
    grads = _grads(3, 2.0)
    _assert_arrays(
        impl.clip_grad_value(grads, clip),
        _torch_clip_value(grads, clip),
        f"clip_grad_value(clip_value={clip}) (clamp into [-clip, clip])",
    )


@pytest.mark.clause("max-norm-range", "clip-value-range")
@pytest.mark.parametrize(
    ("call", "why"),
    [
        (lambda m: m.clip_grad_norm([np.ones(2)], -1.0), "max_norm=-1"),
        (lambda m: m.clip_grad_value([np.ones(2)], -0.5), "clip_value=-0.5"),
    ],
)
def test_negative_limits_raise(impl: ModuleType, call, why: str) -> None:
    with pytest.raises(ValueError):
        call(impl)
        pytest.fail(f"expected ValueError for {why}")


# -- judged against the reference --------------------------------------------------------------
# Tolerances: float64 gradients agree to rtol 1e-12 (a different summation order of the squares);
# float32 gradients may be summed in float32, like torch, so they agree to rtol 1e-5 (float32
# eps 1.2e-7 times the few dozen additions), with an atol of that times the largest entry.
def _started(impl: ModuleType) -> None:
    """Valid calls first, so a stub's NotImplementedError reads *not started* (assert_same
    reports it as a wrong exception where the reference raises ValueError)."""
    impl.clip_grad_norm([np.ones(1)], 1.0)
    impl.clip_grad_value([np.ones(1)], 1.0)


_GRADS = st.lists(
    st.tuples(diff.float_arrays(min_dims=0, max_dims=3, max_side=4), st.sampled_from(["f8", "f4"])),
    max_size=4,
).map(lambda pairs: [a.astype(t) for a, t in pairs])


def _arrays_close(got, want, grads) -> str | None:
    if not isinstance(got, list) or len(got) != len(want):
        return f"expected a list of {len(want)} arrays, got {diff.describe(got)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        # a 0-d gradient may come back as a NumPy scalar (the reference's g * scale does that)
        g = np.asarray(g) if isinstance(g, np.generic) else g
        w = np.asarray(w)
        if not isinstance(g, np.ndarray) or g.dtype != w.dtype or g.shape != w.shape:
            return (
                f"array {i}: expected a {w.dtype} array of shape {w.shape} (the input's), got "
                f"{diff.describe(g)}"
            )
        rtol = 1e-12 if w.dtype == np.float64 else 1e-5
        big = max((float(np.abs(a).max(initial=0.0)) for a in grads), default=0.0)
        found = diff.same(g, w, rtol=rtol, atol=rtol * big, path=f"array {i}")
        if found:
            return found
    return None


def _norm_result(grads):
    def compare(got, want) -> str | None:
        if not (isinstance(got, tuple) and len(got) == 2):
            return f"expected (clipped, total_norm), got {diff.describe(got)}"
        clipped, norm = got
        if not isinstance(norm, float):
            return f"total_norm must be a float, got {diff.describe(norm)}"
        rtol = 1e-12 if all(g.dtype == np.float64 for g in grads) else 1e-5
        found = diff.same(norm, want[1], rtol=rtol, path="total_norm")
        return found or _arrays_close(clipped, want[0], grads)

    return compare


@pytest.mark.clause("global-norm", "scale", "new-arrays", "empty", "max-norm-range")
@given(grads=_GRADS, max_norm=st.sampled_from([0.0, 1e-3, 1.0, 5.0, 1e6, -1.0, -1e-12]))
@example(grads=[np.array([3.0]), np.array([4.0])], max_norm=1.0)
@example(grads=[], max_norm=1.0)
@example(grads=[np.zeros((2, 2)), np.zeros(0)], max_norm=0.0)
@example(grads=[np.full(3, 5.0, dtype=np.float32), np.ones(2)], max_norm=1.0)
def test_clip_grad_norm_agrees_with_the_reference(impl, reference, grads, max_norm) -> None:
    _started(impl)
    with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
        diff.assert_same(
            impl.clip_grad_norm, reference.clip_grad_norm, grads, max_norm,
            compare=_norm_result(grads),
        )  # fmt: skip


@pytest.mark.clause("clip-value", "clip-value-range")
@given(grads=_GRADS, clip_value=st.sampled_from([0.0, 0.5, 1.0, 1e6, -0.5]))
@example(grads=[np.array([-3.0, 0.5, 2.0])], clip_value=1.0)
@example(grads=[np.array([-3.0, 0.5, 2.0], dtype=np.float32)], clip_value=0.0)
def test_clip_grad_value_agrees_with_the_reference(impl, reference, grads, clip_value) -> None:
    _started(impl)
    diff.assert_same(
        impl.clip_grad_value, reference.clip_grad_value, grads, clip_value,
        compare=lambda got, want: _arrays_close(got, want, grads),
    )  # fmt: skip


@pytest.mark.clause("new-arrays", "clip-value")
def test_clip_grad_value_returns_new_arrays(impl: ModuleType) -> None:
    grads = [np.array([-3.0, 0.5, 2.0]), np.array([0.1, 0.2])]  # the second needs no clamping
    before = [g.copy() for g in grads]
    got = impl.clip_grad_value(grads, 1.0)
    assert all(np.array_equal(a, b) for a, b in zip(grads, before, strict=True)), (
        "clip_grad_value modified the input arrays: return new ones"
    )
    assert all(
        a is not b and not np.shares_memory(a, b) for a, b in zip(got, grads, strict=True)
    ), "clip_grad_value must return new arrays, even when nothing needed clamping"


@pytest.mark.clause("new-arrays")
def test_clip_grad_norm_returns_new_arrays_even_when_nothing_is_clipped(impl: ModuleType) -> None:
    grads = _grads(5, 0.01)  # global norm far below max_norm: scale 1
    got, _ = impl.clip_grad_norm(grads, 100.0)
    assert all(
        a is not b and not np.shares_memory(a, b) for a, b in zip(got, grads, strict=True)
    ), (
        "clip_grad_norm must return new arrays even when the scale is 1: the caller may update "
        "them in place"
    )
