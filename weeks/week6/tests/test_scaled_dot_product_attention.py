"""Tests of week6.scaled_dot_product_attention: softmax and attention against PyTorch.

``torch.nn.functional.scaled_dot_product_attention`` (float64) judges the outputs and an explicit
torch computation judges the weights, with padding masks, causal masks, ``Tq != Tk``, a fully
masked row (zeros, never NaN) and large inputs. Run:
``pytest weeks/week6/tests/test_scaled_dot_product_attention.py``.
"""

from __future__ import annotations

import tracemalloc
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import differential as diff


def _qkv(shape_q: tuple[int, ...], tk: int, dv: int, seed: int = 0, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    *batch, tq, d = shape_q
    q = scale * rng.standard_normal((*batch, tq, d))
    k = scale * rng.standard_normal((*batch, tk, d))
    v = rng.standard_normal((*batch, tk, dv))
    return q, k, v


def _torch_reference(q, k, v, mask=None, causal=False) -> tuple[np.ndarray, np.ndarray]:
    """Torch SDPA output, and the weights computed explicitly in torch."""
    tq, tk, tm = torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v)
    allowed = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool)
    if causal:
        allowed = allowed.tril()
    if mask is not None:
        allowed = allowed & torch.from_numpy(mask)
    out = F.scaled_dot_product_attention(tq, tk, tm, attn_mask=allowed)
    scores = tq @ tk.transpose(-1, -2) / q.shape[-1] ** 0.5
    weights = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1)
    weights = torch.nan_to_num(weights, nan=0.0)  # a fully masked row: zeros
    return out.numpy(), weights.numpy()


def _close(got: object, want: np.ndarray, what: str, tol: float = 1e-9) -> None:
    got = np.asarray(got, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: expected shape {want.shape}, got {got.shape}"
    assert not np.isnan(got).any(), f"{what}: contains NaN"
    err = float(np.max(np.abs(got - want))) if want.size else 0.0
    assert err < tol, f"{what}: differs from PyTorch by up to {err:.3g} (want < {tol:g})"


def _check(impl: ModuleType, q, k, v, what: str, mask=None, causal=False) -> None:
    if mask is None and not causal:
        out, weights = impl.attention(q, k, v)
    else:
        out, weights = impl.attention(q, k, v, mask, causal)
    want_out, want_w = _torch_reference(q, k, v, mask, causal)
    _close(weights, want_w, f"{what}: attention weights")
    _close(out, want_out, f"{what}: output")


# -- softmax ---------------------------------------------------------------------------------------
@pytest.mark.clause("softmax-axis")
def test_softmax_matches_torch_on_each_axis(impl: ModuleType) -> None:
    x = np.random.default_rng(0).standard_normal((3, 4, 5))
    for axis in (-1, 0, 1):
        _close(
            impl.softmax(x, axis=axis),
            torch.softmax(torch.from_numpy(x), dim=axis).numpy(),
            f"softmax(x of shape (3, 4, 5), axis={axis})",
        )


@pytest.mark.clause("softmax-stable")
def test_softmax_is_stable_for_huge_inputs(impl: ModuleType) -> None:
    x = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4 + 2.0, -1e4]])
    got = np.asarray(impl.softmax(x))
    assert np.isfinite(got).all(), (
        f"softmax of scores around +-1e4 overflowed to {got.tolist()}: subtract the row max "
        "before exponentiating"
    )
    _close(got, torch.softmax(torch.from_numpy(x), dim=-1).numpy(), "softmax at +-1e4")


@pytest.mark.clause("softmax-neg-inf", "softmax-all-masked")
def test_softmax_of_all_minus_inf_row_is_zeros(impl: ModuleType) -> None:
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf]])
    with np.errstate(all="ignore"):
        got = np.asarray(impl.softmax(x))
    assert np.allclose(got[1], 0.0) and not np.isnan(got).any(), (
        f"a row that is -inf everywhere must give zeros (the fully-masked policy), got {got[1]}"
    )
    assert got[0, 1] == 0.0 and np.isclose(got[0].sum(), 1.0), (
        f"-inf entries get probability exactly 0 and the row sums to 1, got {got[0]}"
    )


# -- attention -------------------------------------------------------------------------------------
@pytest.mark.clause("returns", "broadcast")
@pytest.mark.parametrize(
    ("shape_q", "tk", "dv"),
    [((2, 5, 8), 5, 8), ((2, 3, 4, 16), 6, 5), ((1, 7, 3), 4, 2), ((6, 4), 9, 3)],
)
def test_attention_matches_torch_without_mask(
    impl: ModuleType, shape_q: tuple[int, ...], tk: int, dv: int
) -> None:
    q, k, v = _qkv(shape_q, tk, dv)
    _check(impl, q, k, v, f"q {q.shape}, k {k.shape}, v {v.shape}, no mask")


@pytest.mark.clause("scale")
def test_attention_is_scaled_by_sqrt_dk(impl: ModuleType) -> None:
    q, k, v = _qkv((2, 4, 64), 4, 3, seed=1)  # large d_k: the scaling matters a lot
    out, weights = impl.attention(q, k, v)
    _, want = _torch_reference(q, k, v)
    unscaled = torch.softmax(torch.from_numpy(q @ np.swapaxes(k, -1, -2)), -1).numpy()
    got = np.asarray(weights)
    assert not np.allclose(got, unscaled, atol=1e-6), (
        "your weights equal softmax(q @ k^T): divide the scores by sqrt(d_k) = 8 first"
    )
    _close(got, want, "weights with d_k=64 (scores / sqrt(d_k))")


@pytest.mark.clause("returns")
def test_weights_sum_to_one_over_keys(impl: ModuleType) -> None:
    q, k, v = _qkv((3, 5, 4), 7, 2, seed=2)
    _, weights = impl.attention(q, k, v)
    sums = np.asarray(weights).sum(axis=-1)
    assert np.allclose(sums, 1.0), (
        f"each query's weights must sum to 1 over the KEYS (last axis); row sums are "
        f"{sums.round(3).ravel()[:6]}... (softmax over the wrong axis?)"
    )


@pytest.mark.clause("mask", "mask-before-softmax")
def test_padding_mask_matches_torch_and_zeroes_masked_keys(impl: ModuleType) -> None:
    q, k, v = _qkv((2, 2, 4, 8), 6, 5, seed=3)
    lengths = np.array([6, 3])  # sample 1 has 3 padding keys
    mask = (np.arange(6)[None, :] < lengths[:, None])[:, None, None, :]  # (B, 1, 1, Tk)
    _check(impl, q, k, v, "padding mask of shape (B, 1, 1, Tk)", mask=mask)
    _, weights = impl.attention(q, k, v, mask)
    masked = np.asarray(weights)[1, :, :, 3:]
    assert np.all(masked == 0.0), (
        f"padded keys must get weight exactly 0, got up to {np.abs(masked).max():.3g} "
        "(mask the scores with -inf BEFORE the softmax; True in the mask means 'may attend')"
    )


@pytest.mark.clause("causal")
def test_causal_matches_torch(impl: ModuleType) -> None:
    q, k, v = _qkv((2, 6, 4), 6, 3, seed=4)
    _check(impl, q, k, v, "causal=True, Tq = Tk = 6", causal=True)
    _, weights = impl.attention(q, k, v, None, True)
    upper = np.triu(np.ones((6, 6), dtype=bool), 1)
    assert np.all(np.asarray(weights)[:, upper] == 0.0), (
        "causal: query i must give weight 0 to every key j > i (and may attend to itself, j = i)"
    )


@pytest.mark.clause("causal")
def test_causal_with_more_keys_than_queries_matches_torch(impl: ModuleType) -> None:
    q, k, v = _qkv((1, 3, 4), 5, 2, seed=5)
    _check(impl, q, k, v, "causal=True with Tq=3, Tk=5 (top-left aligned)", causal=True)


@pytest.mark.clause("mask-and-causal", "fully-masked")
def test_causal_combined_with_padding_mask(impl: ModuleType) -> None:
    q, k, v = _qkv((2, 5, 4), 5, 3, seed=6)
    mask = np.ones((2, 1, 5), dtype=bool)
    mask[1, :, 0] = False  # sample 1: key 0 is padding
    mask[1, :, 4] = False
    out, weights = impl.attention(q, k, v, mask, True)
    want_out, want_w = _torch_reference(q, k, v, mask, True)
    got_w = np.asarray(weights)
    assert np.allclose(got_w[1, 0], 0.0) and np.allclose(np.asarray(out)[1, 0], 0.0), (
        "sample 1, query 0 may only see key 0 (causal) but key 0 is padding: a fully masked row "
        f"must give zero weights and a zero output, got weights {got_w[1, 0]}"
    )
    _close(weights, want_w, "causal + padding mask: weights")
    _close(out, want_out, "causal + padding mask: output")


@pytest.mark.clause("fully-masked")
def test_fully_masked_row_gives_zeros_not_nan(impl: ModuleType) -> None:
    q, k, v = _qkv((1, 3, 4), 4, 2, seed=7)
    mask = np.ones((1, 3, 4), dtype=bool)
    mask[0, 1] = False  # query 1 may attend to nothing
    with np.errstate(all="ignore"):
        out, weights = impl.attention(q, k, v, mask)
    out, weights = np.asarray(out), np.asarray(weights)
    assert not np.isnan(out).any() and not np.isnan(weights).any(), (
        "a query whose keys are all masked produced NaN (0/0 in the softmax): output zeros "
        "for that row instead"
    )
    assert np.all(weights[0, 1] == 0) and np.all(out[0, 1] == 0), (
        f"fully masked query: weights and output must be 0, got {weights[0, 1]} and {out[0, 1]}"
    )
    want_out, want_w = _torch_reference(q, k, v, mask)
    _close(out, want_out, "other rows of a partly masked batch")


@pytest.mark.clause("softmax-stable")
def test_large_scores_do_not_overflow(impl: ModuleType) -> None:
    q, k, v = _qkv((2, 4, 8), 4, 3, seed=8, scale=100.0)  # scores around 1e4
    out, weights = impl.attention(q, k, v)
    assert np.isfinite(np.asarray(out)).all() and np.isfinite(np.asarray(weights)).all(), (
        "scores of order 1e4 overflowed: use a stable softmax (subtract the max)"
    )
    want_out, want_w = _torch_reference(q, k, v)
    _close(weights, want_w, "weights for scores of order 1e4", 1e-7)


@pytest.mark.clause("no-mutation")
def test_inputs_are_not_modified(impl: ModuleType) -> None:
    q, k, v = _qkv((2, 3, 4), 3, 2, seed=9)
    mask = np.ones((3, 3), dtype=bool)  # combined with causal=True: not to be written back
    mask[0, 2] = False
    copies = [a.copy() for a in (q, k, v, mask)]
    impl.attention(q, k, v, mask, True)
    for name, a, b in zip("qkvm", (q, k, v, mask), copies, strict=True):
        assert np.array_equal(a, b), f"attention modified its input {name}"


@pytest.mark.clause("dk-mismatch", "tk-mismatch")
@pytest.mark.parametrize(
    ("shapes", "why"),
    [
        (((1, 3, 4), (1, 3, 5), (1, 3, 2)), "q has d_k=4 but k has 5"),
        (((1, 3, 4), (1, 5, 4), (1, 4, 2)), "5 keys but 4 values"),
    ],
)
def test_inconsistent_shapes_raise(impl: ModuleType, shapes: tuple, why: str) -> None:
    q, k, v = (np.zeros(s) for s in shapes)
    with pytest.raises(ValueError):
        impl.attention(q, k, v)
        pytest.fail(f"attention should raise ValueError: {why}")


# -- judged against the reference -------------------------------------------------------------
EPS = np.finfo(np.float64).eps


def _started(impl: ModuleType) -> None:
    """Raise the stub's NotImplementedError before comparing: a stub is *not started*, not
    *wrong*, even on inputs where the reference raises."""
    impl.softmax(np.zeros(2))
    impl.attention(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)))


@st.composite
def _scores(draw):
    # min_side=1: the spec does not say what a zero-length axis gives (the reference raises)
    x = draw(diff.float_arrays(min_dims=1, max_dims=3, min_side=1, max_side=5, magnitude=1e4))
    if x.size and draw(st.booleans()):
        x = x.copy()
        x[draw(hnp.arrays(bool, x.shape))] = -np.inf  # masked entries, sometimes whole slices
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@pytest.mark.clause("softmax-axis", "softmax-stable", "softmax-neg-inf", "softmax-all-masked")
@given(x_axis=_scores())
@example(x_axis=(np.array([[1e4, 1e4 - 1.0, -np.inf], [-np.inf, -np.inf, -np.inf]]), -1))
@example(x_axis=(np.array([[-1e4, 0.0], [-np.inf, 5.0]]), 0))
def test_softmax_agrees_with_the_reference(impl: ModuleType, reference: ModuleType, x_axis):
    """``x - max`` is exact to ``eps * |x|``, and exp turns that into a relative error of the
    same size: ``exp(x - logsumexp(x))`` passes as well."""
    _started(impl)
    x, axis = x_axis
    finite = np.abs(x[np.isfinite(x)])
    rtol = 64 * EPS * (1.0 + float(finite.max(initial=0.0)))
    with np.errstate(all="ignore"):
        diff.assert_same(impl.softmax, reference.softmax, x, axis=axis, rtol=rtol, atol=1e-300)


_VALUES = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 10.0, -10.0]),
    st.floats(-10.0, 10.0, allow_nan=False, width=64),
)


@st.composite
def _attention_inputs(draw):
    b, tq, tk = draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    d, dv = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    broken = draw(st.sampled_from([None] * 6 + ["d_k", "t_k"]))
    q = draw(hnp.arrays(np.float64, (b, tq, d), elements=_VALUES))
    k_batch = draw(st.sampled_from([(b,), (1,), ()]))  # leading dims broadcast
    k = draw(hnp.arrays(np.float64, (*k_batch, tk, d + (broken == "d_k")), elements=_VALUES))
    v = draw(hnp.arrays(np.float64, (b, tk + (broken == "t_k"), dv), elements=_VALUES))
    mask_shape = draw(st.sampled_from([None, (tk,), (tq, tk), (b, 1, tk), (b, tq, tk)]))
    mask = None
    if mask_shape is not None:
        mask = draw(hnp.arrays(bool, mask_shape))
        mask = mask.astype(draw(st.sampled_from([bool] * 5 + [np.int64, np.float64])))
    return q, k, v, mask, draw(st.booleans())


def _attention_tolerance(q, k, v) -> tuple[float, float]:
    """Scores carry ``d_k * eps * |q| * |k|`` of rounding (any summation order), which softmax
    turns into a relative error of the weights; ``weights @ v`` adds ``Tk * eps * |v|``."""
    d, tk = q.shape[-1], k.shape[-2]
    size = (1.0 + np.abs(q).max()) * (1.0 + np.abs(k).max())
    rel = 8 * (d + 2) * EPS * size
    return rel, 8 * (rel + tk * EPS) * tk * (1.0 + np.abs(v).max(initial=0.0))


@pytest.mark.clause(
    "broadcast", "scale", "mask", "causal", "mask-and-causal", "mask-before-softmax",
    "fully-masked", "returns", "dk-mismatch", "tk-mismatch", "mask-bool",
)  # fmt: skip
@given(inputs=_attention_inputs())
@example(inputs=(np.eye(2)[None], np.eye(2)[None], np.eye(2)[None], None, True))
@example(
    inputs=(np.ones((1, 3, 2)), np.ones((1, 5, 2)), np.ones((1, 5, 1)), np.eye(3, 5) > 0, True)
)
@example(inputs=(np.ones((1, 2, 2)), np.ones((1, 2, 2)), np.ones((1, 2, 1)), np.eye(2), False))
def test_attention_agrees_with_the_reference(impl: ModuleType, reference: ModuleType, inputs):
    _started(impl)
    q, k, v, mask, causal = inputs
    rtol, atol = _attention_tolerance(q, k, v)
    with np.errstate(all="ignore"):
        diff.assert_same(
            impl.attention, reference.attention, q, k, v, mask, causal, rtol=rtol, atol=atol
        )


@pytest.mark.clause("mask-bool")
def test_integer_mask_raises(impl: ModuleType) -> None:
    q, k, v = _qkv((1, 3, 4), 3, 2, seed=10)
    with pytest.raises(ValueError):
        impl.attention(q, k, v, np.ones((3, 3), dtype=np.int64))
        pytest.fail("a mask of 0/1 integers is not boolean: attention must raise ValueError")


@pytest.mark.clause("memory")
def test_memory_is_of_the_order_of_the_weights(impl: ModuleType) -> None:
    b, t, d, dv = 2, 16, 256, 4
    q, k, v = _qkv((b, t, d), t, dv, seed=11)
    mask = np.ones((t, t), dtype=bool)
    impl.attention(q, k, v, mask, True)  # warm up
    tracemalloc.start()
    try:
        impl.attention(q, k, v, mask, True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    weights = 8 * b * t * t
    limit = 16 * weights + 16 * 8 * b * t * dv + 16384
    assert peak <= limit, (
        f"attention with Tq = Tk = {t}, d_k = {d} allocated {peak} bytes at its peak; the weights "
        f"take {weights}: compute the scores with one matmul, never an array of "
        "Tq * Tk * d_k elements"
    )
