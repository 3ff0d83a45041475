"""Tests of week6.multi_head_attention: a NumPy layer against torch.nn.MultiheadAttention.

Each test builds ``torch.nn.MultiheadAttention(E, H, batch_first=True)`` in float64 with random
weights and biases, copies its ``state_dict()`` into your layer and compares outputs and
attention weights (averaged and per head), with padding and attention masks.
Run: ``pytest weeks/week6/tests/test_multi_head_attention.py``.
"""

from __future__ import annotations

import tracemalloc
from types import ModuleType

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import differential as diff


def _pair(impl: ModuleType, e: int, h: int, seed: int = 0):
    """Your layer and a torch layer with the same random weights (non-zero biases)."""
    torch.manual_seed(seed)
    ref = torch.nn.MultiheadAttention(e, h, batch_first=True).double().eval()
    with torch.no_grad():
        ref.in_proj_bias.normal_(0.0, 0.5)
        ref.out_proj.bias.normal_(0.0, 0.5)
    ours = impl.MultiHeadAttention(e, h, seed=seed)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in ref.state_dict().items()})
    return ours, ref


def _inputs(b: int, length: int, s: int, e: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((b, length, e)), *rng.standard_normal((2, b, s, e)))


def _torch(ref, q, k, v, **kwargs) -> tuple[np.ndarray, np.ndarray | None]:
    """The torch layer's output and weights.

    A ``key_padding_mask`` is folded into an equivalent ``(B * H, L, S)`` ``attn_mask`` (what
    torch does internally): torch's own check of ``key_padding_mask`` imports sympy, which
    costs seconds.
    """
    pad = kwargs.pop("key_padding_mask", None)
    if pad is not None:
        b, length, s, h = q.shape[0], q.shape[1], k.shape[1], ref.num_heads
        blocked = np.broadcast_to(pad[:, None, None, :], (b, h, length, s))
        if "attn_mask" in kwargs:
            blocked = blocked | np.broadcast_to(kwargs["attn_mask"], (b, h, length, s))
        kwargs["attn_mask"] = np.ascontiguousarray(blocked.reshape(b * h, length, s))
    tensors = {
        name: torch.from_numpy(value) if isinstance(value, np.ndarray) else value
        for name, value in kwargs.items()
    }
    with torch.no_grad():
        out, w = ref(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v), **tensors)
    return out.numpy(), None if w is None else w.numpy()


def _close(got: object, want: np.ndarray, what: str, tol: float = 1e-9) -> None:
    assert got is not None, f"{what}: got None"
    got = np.asarray(got, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: expected shape {want.shape}, got {got.shape}"
    err = float(np.max(np.abs(got - want)))
    assert err <= tol, f"{what}: differs from torch.nn.MultiheadAttention by up to {err:.3g}"


# -- construction ----------------------------------------------------------------------------------
@pytest.mark.clause("params", "head-dim")
def test_parameters_have_torch_shapes(impl: ModuleType) -> None:
    layer = impl.MultiHeadAttention(12, 3, seed=0)
    shapes = {
        "in_proj_weight": (36, 12),
        "in_proj_bias": (36,),
        "out_proj_weight": (12, 12),
        "out_proj_bias": (12,),
    }
    for name, shape in shapes.items():
        got = np.shape(getattr(layer, name))
        assert got == shape, (
            f"MultiHeadAttention(12, 3).{name} should have shape {shape}, got {got}"
        )
    assert layer.head_dim == 4, f"head_dim of E=12, H=3 should be 4, got {layer.head_dim}"


@pytest.mark.clause("divisible")
def test_embed_dim_not_divisible_raises(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.MultiHeadAttention(10, 3)
        pytest.fail("MultiHeadAttention(10, 3) must raise ValueError: 10 is not divisible by 3")


@pytest.mark.clause("load-errors")
def test_load_state_dict_rejects_wrong_shapes(impl: ModuleType) -> None:
    _, ref = _pair(impl, 8, 2)
    state = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    state["out_proj.weight"] = np.zeros((8, 4))
    layer = impl.MultiHeadAttention(8, 2)
    with pytest.raises(ValueError):
        layer.load_state_dict(state)
        pytest.fail("load_state_dict with out_proj.weight of shape (8, 4) must raise ValueError")


@pytest.mark.clause("load")
def test_load_state_dict_copies_torch_weights(impl: ModuleType) -> None:
    ours, ref = _pair(impl, 8, 2, seed=3)
    _close(ours.in_proj_weight, ref.in_proj_weight.detach().numpy(), "in_proj_weight", 0)
    _close(ours.out_proj_weight, ref.out_proj.weight.detach().numpy(), "out_proj_weight", 0)
    _close(ours.out_proj_bias, ref.out_proj.bias.detach().numpy(), "out_proj_bias", 0)


# -- heads -----------------------------------------------------------------------------------------
@pytest.mark.clause("split-heads", "merge-heads")
def test_split_heads_takes_contiguous_feature_blocks(impl: ModuleType) -> None:
    layer = impl.MultiHeadAttention(6, 3)
    x = np.arange(2 * 4 * 6, dtype=np.float64).reshape(2, 4, 6)
    got = np.asarray(layer.split_heads(x))
    assert got.shape == (2, 3, 4, 2), (
        f"split_heads((2, 4, 6)) with H=3: want (2, 3, 4, 2), got {got.shape}"
    )
    for h in range(3):
        want = x[:, :, 2 * h : 2 * h + 2]
        assert np.array_equal(got[:, h], want), (
            f"head {h} must hold features {2 * h}:{2 * h + 2} of every token; for sample 0, "
            f"token 0 want {want[0, 0]}, got {got[0, h, 0]} (reshape to (B, T, H, D), then "
            "transpose; a plain reshape to (B, H, T, D) mixes tokens)"
        )
    back = np.asarray(layer.merge_heads(got))
    assert np.array_equal(back, x), "merge_heads(split_heads(x)) must give x back"


# -- forward against torch -------------------------------------------------------------------------
@pytest.mark.clause("forward", "scale", "shapes")
@pytest.mark.parametrize(("e", "h"), [(8, 2), (12, 4), (6, 1), (16, 8)])
def test_self_attention_matches_torch(impl: ModuleType, e: int, h: int) -> None:
    ours, ref = _pair(impl, e, h)
    x, _, _ = _inputs(2, 5, 5, e)
    out, w = ours(x, x, x)
    want_out, want_w = _torch(ref, x, x, x)
    _close(w, want_w, f"self-attention E={e}, H={h}: weights averaged over heads")
    _close(out, want_out, f"self-attention E={e}, H={h}: output")


@pytest.mark.clause("forward", "shapes")
def test_cross_attention_matches_torch(impl: ModuleType) -> None:
    ours, ref = _pair(impl, 8, 2, seed=4)
    q, k, v = _inputs(3, 4, 7, 8, seed=5)
    out, w = ours(q, k, v)
    want_out, want_w = _torch(ref, q, k, v)
    _close(w, want_w, "cross-attention L=4, S=7: weights")
    _close(out, want_out, "cross-attention L=4, S=7: output")


@pytest.mark.clause("average-weights")
def test_per_head_weights_match_torch(impl: ModuleType) -> None:
    ours, ref = _pair(impl, 12, 3, seed=6)
    q, k, v = _inputs(2, 4, 5, 12, seed=7)
    out, w = ours(q, k, v, average_attn_weights=False)
    want_out, want_w = _torch(ref, q, k, v, average_attn_weights=False)
    _close(w, want_w, "average_attn_weights=False: per-head weights (B, H, L, S)")
    _close(out, want_out, "average_attn_weights=False: output")


@pytest.mark.clause("need-weights")
def test_need_weights_false_returns_none(impl: ModuleType) -> None:
    ours, ref = _pair(impl, 8, 2)
    x, _, _ = _inputs(1, 3, 3, 8)
    out, w = ours(x, x, x, need_weights=False)
    assert w is None, f"need_weights=False must return None as weights, got {type(w).__name__}"
    _close(out, _torch(ref, x, x, x)[0], "output with need_weights=False")


@pytest.mark.clause("key-padding-mask")
def test_key_padding_mask_matches_torch(impl: ModuleType) -> None:
    ours, ref = _pair(impl, 8, 4, seed=8)
    q, k, v = _inputs(3, 4, 6, 8, seed=9)
    pad = np.zeros((3, 6), dtype=bool)
    pad[1, 4:] = True
    pad[2, 1] = True
    out, w = ours(q, k, v, key_padding_mask=pad)
    want_out, want_w = _torch(ref, q, k, v, key_padding_mask=pad)
    _close(w, want_w, "key_padding_mask (True = padding key): weights")
    assert np.all(np.asarray(w)[1, :, 4:] == 0), "padding keys must get weight exactly 0"
    _close(out, want_out, "key_padding_mask: output")


@pytest.mark.clause("attn-mask")
def test_causal_attn_mask_matches_torch(impl: ModuleType) -> None:
    ours, ref = _pair(impl, 8, 2, seed=10)
    x, _, _ = _inputs(2, 5, 5, 8, seed=11)
    causal = np.triu(np.ones((5, 5), dtype=bool), 1)  # True = not allowed
    out, w = ours(x, x, x, attn_mask=causal)
    want_out, want_w = _torch(ref, x, x, x, attn_mask=causal)
    _close(w, want_w, "attn_mask (L, S), True = blocked: weights")
    _close(out, want_out, "attn_mask (L, S): output")


@pytest.mark.clause("attn-mask")
def test_per_head_attn_mask_matches_torch(impl: ModuleType) -> None:
    ours, ref = _pair(impl, 8, 2, seed=12)
    q, k, v = _inputs(2, 3, 4, 8, seed=13)
    mask = np.random.default_rng(14).random((4, 3, 4)) < 0.3  # (B * H, L, S)
    mask[:, :, 0] = False  # keep one key per row so torch has no NaN
    out, w = ours(q, k, v, attn_mask=mask, average_attn_weights=False)
    want_out, want_w = _torch(ref, q, k, v, attn_mask=mask, average_attn_weights=False)
    _close(w, want_w, "attn_mask (B * H, L, S), sample-major: per-head weights")
    _close(out, want_out, "attn_mask (B * H, L, S): output")


@pytest.mark.clause("masks-combine")
def test_masks_combine(impl: ModuleType) -> None:
    ours, ref = _pair(impl, 8, 2, seed=15)
    x, _, _ = _inputs(2, 4, 4, 8, seed=16)
    causal = np.triu(np.ones((4, 4), dtype=bool), 1)
    pad = np.array([[False] * 4, [False, False, False, True]])
    out, w = ours(x, x, x, key_padding_mask=pad, attn_mask=causal)
    want_out, want_w = _torch(ref, x, x, x, key_padding_mask=pad, attn_mask=causal)
    _close(w, want_w, "key_padding_mask and causal attn_mask together: weights")
    _close(out, want_out, "key_padding_mask and causal attn_mask together: output")


@pytest.mark.clause("fully-masked")
def test_fully_masked_query_outputs_bias_not_nan(impl: ModuleType) -> None:
    ours, _ = _pair(impl, 8, 2, seed=17)
    x, _, _ = _inputs(2, 3, 3, 8, seed=18)
    pad = np.zeros((2, 3), dtype=bool)
    pad[1] = True  # sample 1: every key is padding
    with np.errstate(all="ignore"):
        out, w = ours(x, x, x, key_padding_mask=pad)
    out, w = np.asarray(out), np.asarray(w)
    assert not np.isnan(out).any() and not np.isnan(w).any(), (
        "a sample whose keys are all padding produced NaN; give its queries zero weights instead"
    )
    assert np.allclose(w[1], 0) and np.allclose(out[1], ours.out_proj_bias), (
        "with every key blocked the weights are 0, so the output is out_proj_bias for every query"
    )


# -- judged against the reference -------------------------------------------------------------
EPS = np.finfo(np.float64).eps


def _state(e: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "in_proj_weight": rng.uniform(-0.5, 0.5, (3 * e, e)),
        "in_proj_bias": rng.normal(0.0, 0.5, 3 * e),
        "out_proj.weight": rng.uniform(-0.5, 0.5, (e, e)),
        "out_proj.bias": rng.normal(0.0, 0.5, e),
    }


def _started(impl: ModuleType) -> None:
    """Raise the stub's NotImplementedError before comparing: a stub is *not started*, not
    *wrong*, even on inputs where the reference raises."""
    layer = impl.MultiHeadAttention(2, 1)
    layer.load_state_dict(_state(2, 0))
    x = np.ones((1, 1, 2))
    layer(x, x, x)


_VALUES = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 10.0, -10.0]),
    st.floats(-10.0, 10.0, allow_nan=False, width=64),
)


@st.composite
def _mha_inputs(draw):
    h, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    b, length, s = draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    e = h * d
    broken = draw(st.sampled_from([None] * 8 + ["query_2d", "query_width", "kv_shapes"]))
    q_shape = {"query_2d": (length, e), "query_width": (b, length, e + 1)}.get(broken)
    query = draw(hnp.arrays(np.float64, q_shape or (b, length, e), elements=_VALUES))
    key = draw(hnp.arrays(np.float64, (b, s, e), elements=_VALUES))
    v_shape = (b, s + 1, e) if broken == "kv_shapes" else (b, s, e)
    value = draw(hnp.arrays(np.float64, v_shape, elements=_VALUES))
    pad = draw(st.none() | hnp.arrays(bool, (b, s)))
    mask_shape = draw(st.sampled_from([None, (length, s), (b * h, length, s)]))
    attn = None if mask_shape is None else draw(hnp.arrays(bool, mask_shape))
    flags = draw(st.tuples(st.booleans(), st.booleans()))
    return e, h, query, key, value, pad, attn, flags


def _run(mod: ModuleType, e, h, query, key, value, pad, attn, flags):
    layer = mod.MultiHeadAttention(e, h, seed=1)
    layer.load_state_dict(_state(e, e * 10 + h))
    return layer(query, key, value, pad, attn, *flags)


@pytest.mark.clause(
    "forward", "scale", "shapes", "key-padding-mask", "attn-mask", "masks-combine",
    "need-weights", "average-weights", "fully-masked", "shape-errors",
)  # fmt: skip
@given(inputs=_mha_inputs())
@example(inputs=(2, 1, np.ones((2, 1, 2)), np.ones((1, 3, 2)), np.ones((2, 3, 2)), None, None,
                 (True, True)))  # fmt: skip
@example(inputs=(4, 2, np.ones((1, 2, 4)), np.ones((1, 2, 4)), np.ones((1, 2, 4)),
                 np.array([[True, True]]), None, (True, False)))  # fmt: skip
def test_forward_agrees_with_the_reference(impl: ModuleType, reference: ModuleType, inputs):
    """Projections carry ``E * eps * |x| * |W|`` of rounding, scores the square of that scale
    (softmax turns it into a relative error of the weights) and the output sums ``S`` values:
    the tolerance follows, so any summation order passes."""
    _started(impl)
    e, _, query, key, value = inputs[:5]
    scale = (1.0 + max(np.abs(a).max() for a in (query, key, value))) * (1.0 + e)
    atol = 64 * EPS * scale**2 * (1 + key.shape[1])
    with np.errstate(all="ignore"):
        diff.assert_same(
            lambda: _run(impl, *inputs), lambda: _run(reference, *inputs), rtol=1e-9, atol=atol
        )


@pytest.mark.clause("divisible", "head-dim", "params")
@given(e=st.integers(0, 9), h=st.integers(-1, 4))
def test_construction_agrees_with_the_reference(impl, reference, e: int, h: int) -> None:
    _started(impl)

    def shapes(mod: ModuleType):
        layer = mod.MultiHeadAttention(e, h)
        names = ("in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias")
        return layer.head_dim, tuple(np.shape(getattr(layer, n)) for n in names)

    diff.assert_same(lambda: shapes(impl), lambda: shapes(reference))


@pytest.mark.clause("init-seed")
def test_the_seed_decides_the_initial_weights(impl: ModuleType) -> None:
    a, b, c = (impl.MultiHeadAttention(8, 2, seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.in_proj_weight, b.in_proj_weight) and np.array_equal(
        a.out_proj_weight, b.out_proj_weight
    ), "two layers made with seed=3 must start with the same weights"
    assert not np.array_equal(a.in_proj_weight, c.in_proj_weight), (
        "seeds 3 and 4 gave the same in_proj_weight: draw it from np.random.default_rng(seed)"
    )


@pytest.mark.clause("load")
def test_load_state_dict_copies(impl: ModuleType) -> None:
    state = _state(4, 5)
    layer = impl.MultiHeadAttention(4, 2)
    layer.load_state_dict(state)
    want = {k: v.copy() for k, v in state.items()}
    for v in state.values():
        v += 1.0  # the caller reuses its arrays
    got = {
        "in_proj_weight": layer.in_proj_weight,
        "in_proj_bias": layer.in_proj_bias,
        "out_proj.weight": layer.out_proj_weight,
        "out_proj.bias": layer.out_proj_bias,
    }
    for name, value in got.items():
        assert np.array_equal(value, want[name]), (
            f"changing state[{name!r}] after load_state_dict changed the layer: copy the arrays"
        )


@pytest.mark.clause("load-errors")
@pytest.mark.parametrize("missing", ["in_proj_weight", "in_proj_bias", "out_proj.weight"])
def test_load_state_dict_missing_key_raises(impl: ModuleType, missing: str) -> None:
    state = _state(4, 6)
    del state[missing]
    layer = impl.MultiHeadAttention(4, 2)
    with pytest.raises(ValueError):
        layer.load_state_dict(state)
        pytest.fail(f"load_state_dict without {missing!r} must raise ValueError")


@pytest.mark.clause("complexity")
def test_memory_is_of_the_order_of_the_weights(impl: ModuleType) -> None:
    b, h, length, e = 2, 2, 64, 128
    layer = impl.MultiHeadAttention(e, h)
    layer.load_state_dict(_state(e, 7))
    x = np.random.default_rng(8).standard_normal((b, length, e))
    layer(x, x, x)  # warm up
    tracemalloc.start()
    try:
        layer(x, x, x)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    tokens = 8 * b * length * e  # one (B, T, E) array
    weights = 8 * b * h * length * length
    limit = 16 * tokens + 16 * weights + 8 * 3 * e * e + 16384
    assert peak <= limit, (
        f"MultiHeadAttention(E={e}, H={h}) on (B={b}, T={length}) peaked at {peak} bytes, more "
        f"than {limit}: compute scores with a matmul per head, never an L * S * E array"
    )
