"""Tests of week1.pos_embed_resize: position-embedding resampling and resized checkpoint loading.

Oracles: ``timm.layers.resample_abs_pos_embed`` and timm's ViT checkpoint filter
(``timm.models.vision_transformer.checkpoint_filter_fn``), which resamples ``pos_embed`` when a
checkpoint is loaded at another image size.
Run: ``pytest weeks/week1/tests/test_pos_embed_resize.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import timm
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from timm.layers import resample_abs_pos_embed
from timm.models.vision_transformer import checkpoint_filter_fn
from torch import nn

from grader import differential as diff


def _pos_embed(prefix: int, height: int, width: int, dim: int = 8, seed: int = 0) -> torch.Tensor:
    """A smooth-ish random embedding grid plus ``prefix`` prefix tokens."""
    g = torch.Generator().manual_seed(seed)
    rows = torch.linspace(-1, 1, height)[:, None, None]
    cols = torch.linspace(-1, 1, width)[None, :, None]
    freq = torch.randn(1, 1, dim, generator=g) * 2
    grid = torch.sin(rows * freq + 0.5) + torch.cos(cols * freq * 1.7) * rows
    grid = grid + 0.3 * torch.randn(height, width, dim, generator=g)
    tokens = torch.randn(prefix, dim, generator=g) * 3
    return torch.cat([tokens, grid.reshape(height * width, dim)]).unsqueeze(0)


CASES = [
    # (prefix tokens, old grid, new grid): enlarge, shrink (antialiasing), non-square grids
    pytest.param(1, (14, 14), (10, 10), id="224_to_160"),
    pytest.param(1, (14, 14), (18, 18), id="224_to_288"),
    pytest.param(1, (4, 6), (5, 3), id="4x6_to_5x3"),
    pytest.param(1, (6, 3), (9, 4), id="6x3_to_9x4"),
    pytest.param(0, (5, 5), (3, 7), id="no_prefix"),
    pytest.param(2, (8, 8), (4, 4), id="two_prefix_tokens"),
]


@pytest.mark.parametrize(("prefix", "old", "new"), CASES)
@pytest.mark.clause(
    "prefix-kept", "rows-first", "bicubic", "shape", "prefix-count", "input-unchanged"
)
def test_resample_matches_timm(impl: ModuleType, prefix: int, old: tuple, new: tuple) -> None:
    pos = _pos_embed(prefix, *old)
    before = pos.clone()
    got = impl.resample_pos_embed(pos, new, old_size=old, num_prefix_tokens=prefix)
    want = resample_abs_pos_embed(pos, list(new), old_size=list(old), num_prefix_tokens=prefix)
    assert torch.equal(pos, before), "resample_pos_embed must not modify its input in place"
    assert tuple(got.shape) == tuple(want.shape), (
        f"resampling {prefix} prefix + {old[0]}x{old[1]} embeddings to a {new[0]}x{new[1]} grid "
        f"should give shape {tuple(want.shape)}, got {tuple(got.shape)}"
    )
    assert torch.equal(got[:, :prefix], pos[:, :prefix]), (
        f"the {prefix} prefix (class-token) embedding(s) must come first and be copied unchanged: "
        "only the grid part is interpolated"
    )
    err = float((got - want).abs().max())
    assert err < 1e-5, (
        f"{old} -> {new}: your grid differs from timm's resample_abs_pos_embed by {err:.3g}. "
        "Check: reshape to (1, H, W, D) with H = old_size[0] (rows first), permute to "
        "(1, D, H, W), F.interpolate(mode='bicubic', antialias=True, align_corners=False), "
        "then back."
    )


@pytest.mark.clause("square-default")
def test_square_grid_is_the_default(impl: ModuleType) -> None:
    pos = _pos_embed(1, 7, 7, seed=1)
    got = impl.resample_pos_embed(pos, (4, 4))
    want = resample_abs_pos_embed(pos, [4, 4], num_prefix_tokens=1)
    err = float((got - want).abs().max()) if got.shape == want.shape else float("inf")
    assert err < 1e-5, (
        "with old_size=None and num_prefix_tokens=1 (the defaults) the grid is square: 1 + 49 "
        f"tokens are a 7x7 grid; resampled to 4x4 yours differs from timm's by {err:.3g}"
    )


@pytest.mark.clause("identity")
def test_same_size_returns_the_input(impl: ModuleType) -> None:
    pos = _pos_embed(1, 5, 4, seed=2)
    got = impl.resample_pos_embed(pos, (5, 4), old_size=(5, 4))
    assert got is pos or torch.equal(got, pos), (
        "resampling to the grid it already has must return the embeddings unchanged (bicubic "
        "interpolation with antialiasing is not exactly the identity, so skip it)"
    )


@pytest.mark.clause("token-count")
def test_inconsistent_sizes_raise(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.resample_pos_embed(_pos_embed(1, 4, 4), (3, 3), old_size=(5, 4))


@pytest.mark.clause("dtype")
def test_keeps_dtype(impl: ModuleType) -> None:
    pos = _pos_embed(1, 6, 6).to(torch.float64)
    got = impl.resample_pos_embed(pos, (3, 3))
    assert got.dtype == torch.float64, f"the result should keep the input dtype, got {got.dtype}"


# -- loading a 224 checkpoint at 160 and 128 ---------------------------------------------------
@pytest.fixture(scope="module")
def checkpoint_224() -> dict[str, torch.Tensor]:
    """timm's vit_tiny_patch16_224 (random init, randomised embeddings) state dict."""
    torch.manual_seed(0)
    model = timm.create_model("vit_tiny_patch16_224", pretrained=False, num_classes=26, depth=2)
    with torch.no_grad():
        g = torch.Generator().manual_seed(1)
        model.pos_embed.copy_(torch.randn(model.pos_embed.shape, generator=g))
        model.cls_token.copy_(torch.randn(model.cls_token.shape, generator=g))
    return {k: v.clone() for k, v in model.state_dict().items()}


def _timm_vit(img_size: int) -> nn.Module:
    return timm.create_model(
        "vit_tiny_patch16_224", pretrained=False, num_classes=26, depth=2, img_size=img_size
    ).eval()


@pytest.mark.parametrize("img_size", [160, 128])
@pytest.mark.clause("resample-on-load", "sd-unchanged", "returns-model", "both-models")
def test_load_224_checkpoint_at_smaller_size(
    impl: ModuleType, checkpoint_224: dict, img_size: int
) -> None:
    before = {k: v.clone() for k, v in checkpoint_224.items()}
    ours = impl.load_resized_state_dict(_timm_vit(img_size), checkpoint_224)
    assert ours is not None and hasattr(ours, "pos_embed"), "return the model you loaded"
    for key, value in before.items():
        assert torch.equal(checkpoint_224[key], value), (
            f"load_resized_state_dict modified the caller's state_dict ({key!r}): copy it first"
        )
    theirs = _timm_vit(img_size)
    theirs.load_state_dict(checkpoint_filter_fn(dict(checkpoint_224), theirs), strict=True)
    assert torch.allclose(ours.pos_embed, theirs.pos_embed, atol=1e-5), (
        f"at {img_size} px the loaded pos_embed should be the 14x14 grid resampled to "
        f"{img_size // 16}x{img_size // 16} like timm's checkpoint filter does"
    )
    x = torch.randn(1, 3, img_size, img_size, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        err = float((ours.eval()(x) - theirs(x)).abs().max())
    assert err < 1e-4, f"the {img_size} px model's outputs differ from timm's by {err:.3g}"


@pytest.mark.clause("resample-on-load")
def test_load_same_size_is_a_plain_load(impl: ModuleType, checkpoint_224: dict) -> None:
    model = impl.load_resized_state_dict(_timm_vit(224), checkpoint_224)
    for key, value in checkpoint_224.items():
        assert torch.equal(model.state_dict()[key], value), (
            f"at the checkpoint's own size every tensor should load unchanged, {key!r} changed"
        )


@pytest.mark.clause("strict")
def test_load_is_strict(impl: ModuleType, checkpoint_224: dict) -> None:
    broken = {k: v for k, v in checkpoint_224.items() if k != "head.weight"}
    try:
        impl.load_resized_state_dict(_timm_vit(160), broken)
    except NotImplementedError:
        raise
    except RuntimeError:
        return  # load_state_dict(strict=True) reports the missing key
    pytest.fail("a state_dict without 'head.weight' must not load: use strict=True")


# -- judged against the reference --------------------------------------------------------------
def _as_array(fn: Callable[..., torch.Tensor]) -> Callable[..., tuple[np.ndarray, str]]:
    """``fn``'s tensor as a float64 array and its dtype's name, for ``diff.assert_same``."""

    def wrapped(*args: object, **kwargs: object) -> tuple[np.ndarray, str]:
        out = fn(*args, **kwargs)
        return out.detach().double().numpy(), str(out.dtype)

    return wrapped


@st.composite
def _resample_cases(draw: st.DrawFn) -> dict:
    prefix = draw(st.integers(0, 3))
    square = draw(st.booleans())
    old = (
        (draw(st.integers(1, 7)),) * 2
        if square
        else (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    )
    new = (
        draw(st.sampled_from([old, old[::-1]]))
        if draw(st.booleans())
        else (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    )
    dtype = draw(st.sampled_from([torch.float32, torch.float64, torch.bfloat16, torch.float16]))
    scale = draw(st.sampled_from([1.0, 1e-3, 100.0]))
    pos = _pos_embed(prefix, *old, dim=draw(st.integers(1, 5)), seed=draw(st.integers(0, 9)))
    kwargs = {"num_prefix_tokens": prefix} if prefix != 1 or draw(st.booleans()) else {}
    if not square or draw(st.booleans()):
        kwargs["old_size"] = old
    return {"pos_embed": (pos * scale).to(dtype), "new_size": new, **kwargs}


@pytest.mark.clause(
    "prefix-kept", "rows-first", "bicubic", "float32", "dtype", "shape", "square-default",
    "prefix-count", "identity",
)  # fmt: skip
@given(case=_resample_cases())
@example(case={"pos_embed": _pos_embed(1, 6, 6).half(), "new_size": (4, 4)})
@example(case={"pos_embed": _pos_embed(2, 3, 5), "new_size": (5, 3), "old_size": (3, 5),
               "num_prefix_tokens": 2})  # fmt: skip
def test_resample_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: dict
) -> None:
    pos = case["pos_embed"]
    # float32 interpolation of values up to |x|: a float64 pass (then cast) differs by ~1e-7 |x|;
    # a half-precision result is rounded to its own epsilon.
    eps = {torch.bfloat16: 2**-7, torch.float16: 2**-10}.get(pos.dtype, 1e-5)
    atol = 4 * eps * float(pos.abs().max())
    diff.assert_same(
        _as_array(impl.resample_pos_embed), _as_array(reference.resample_pos_embed),
        rtol=4 * eps, atol=atol, **case,
    )  # fmt: skip


@pytest.mark.clause("token-count", "square-default", "prefix-count")
@given(
    tokens=st.integers(1, 30), prefix=st.integers(0, 3),
    old=st.none() | st.tuples(st.integers(1, 5), st.integers(1, 5)),
    new=st.tuples(st.integers(1, 4), st.integers(1, 4)),
)  # fmt: skip
@example(tokens=17, prefix=1, old=None, new=(2, 2))  # 1 + 16: a 4x4 grid
@example(tokens=13, prefix=1, old=None, new=(2, 2))  # 1 + 12: not a square grid
@example(tokens=16, prefix=0, old=(4, 4), new=(4, 4))
@example(tokens=17, prefix=0, old=(4, 4), new=(4, 4))  # same size, one token too many
def test_token_count_check_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, tokens: int, prefix: int, old: tuple | None,
    new: tuple,
) -> None:  # fmt: skip
    impl.resample_pos_embed(_pos_embed(1, 2, 2), (3, 3))  # a valid call first (not started?)
    pos = torch.randn(1, tokens, 3, generator=torch.Generator().manual_seed(tokens))
    diff.assert_same(
        _as_array(impl.resample_pos_embed), _as_array(reference.resample_pos_embed),
        pos, new, old_size=old, num_prefix_tokens=prefix, rtol=1e-5, atol=1e-5 * 4,
    )  # fmt: skip


@pytest.mark.clause("identity")
def test_same_size_returns_the_input_tensor_itself(impl: ModuleType) -> None:
    for prefix, old in ((1, (4, 4)), (0, (3, 5)), (2, (2, 6))):
        pos = _pos_embed(prefix, *old)
        got = impl.resample_pos_embed(pos, old, old_size=old, num_prefix_tokens=prefix)
        assert got is pos, (
            f"resampling {prefix} prefix + {old[0]}x{old[1]} embeddings to the grid they already "
            "have must return the input tensor itself (spec: 'the input tensor itself')"
        )


@pytest.mark.clause("float32", "dtype")
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float64], ids=str)
def test_low_and_high_precision_match_timm(impl: ModuleType, dtype: torch.dtype) -> None:
    pos = _pos_embed(1, 6, 5).to(dtype)
    got = impl.resample_pos_embed(pos, (3, 4), old_size=(6, 5))
    want = resample_abs_pos_embed(pos, [3, 4], old_size=[6, 5], num_prefix_tokens=1)
    assert got.dtype == dtype, f"the result must keep the input dtype {dtype}, got {got.dtype}"
    eps = {torch.bfloat16: 2**-7, torch.float16: 2**-10}.get(dtype, 1e-6)
    err = float((got.double() - want.double()).abs().max())
    assert err <= 4 * eps * float(pos.abs().max()), (
        f"a {dtype} grid resampled 6x5 -> 3x4 differs from timm's by {err:.3g}: interpolate in "
        "float32 (pos_embed.float()), then cast the result back to the input dtype"
    )


def _tiny_vit(kind: str, img_size: int) -> nn.Module:
    torch.manual_seed(img_size)
    if kind == "rxvision_no_attribute":
        from rxvision.models.vit import VisionTransformer  # the week1.vit reference model

        model = VisionTransformer(
            img_size=img_size, patch_size=8, num_classes=3, embed_dim=16, depth=1, num_heads=2
        )
        del model.num_prefix_tokens  # spec: 1 prefix token when the attribute is missing
        return model.eval()
    extra = {
        "timm_register_tokens": {"reg_tokens": 2},
        "timm_no_class_token": {"class_token": False, "global_pool": "avg"},
        "timm": {},
    }[kind]
    return timm.create_model(
        "vit_tiny_patch16_224", pretrained=False, num_classes=3, depth=1, img_size=img_size,
        patch_size=8, embed_dim=16, num_heads=2, **extra,
    ).eval()  # fmt: skip


def _state(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.detach().double().numpy() for k, v in model.state_dict().items()}


@pytest.fixture(scope="module")
def tiny_checkpoints() -> dict[str, dict[str, torch.Tensor]]:
    """State dicts of tiny ViTs at 32 px (4x4 grid), with random position embeddings."""
    out = {}
    for kind in ("rxvision_no_attribute", "timm_register_tokens", "timm_no_class_token", "timm"):
        model = _tiny_vit(kind, 32)
        with torch.no_grad():
            model.pos_embed.copy_(torch.randn(model.pos_embed.shape))
        out[kind] = {k: v.clone() for k, v in model.state_dict().items()}
    return out


@pytest.mark.clause("resample-on-load", "load-prefix", "strict", "both-models", "returns-model")
@pytest.mark.parametrize("edit", ["none", "missing_key", "unexpected_key"])
@pytest.mark.parametrize("img_size", [16, 32, 56])
@pytest.mark.parametrize(
    "kind", ["rxvision_no_attribute", "timm_register_tokens", "timm_no_class_token", "timm"]
)
def test_load_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, tiny_checkpoints: dict, kind: str, img_size: int,
    edit: str,
) -> None:  # fmt: skip
    state = dict(tiny_checkpoints[kind])
    if edit != "none":  # a valid load first: an unwritten stub is "not started", not a pass
        impl.load_resized_state_dict(_tiny_vit(kind, 32), dict(state))
    if edit == "missing_key":
        del state["head.bias"]
    elif edit == "unexpected_key":
        state["head.extra"] = torch.zeros(2)

    def run(load: Callable[..., nn.Module]) -> dict[str, np.ndarray]:
        model = _tiny_vit(kind, img_size)
        got = load(model, state)
        assert got is model, "load_resized_state_dict must return the model it loaded"
        return _state(got)

    diff.assert_same(
        lambda: run(impl.load_resized_state_dict),
        lambda: run(reference.load_resized_state_dict),
        rtol=1e-5, atol=1e-5 * 4,
    )  # fmt: skip


@pytest.mark.clause("load-prefix")
@pytest.mark.parametrize("kind", ["timm_register_tokens", "timm_no_class_token"])
def test_load_with_other_prefix_counts_matches_timm(
    impl: ModuleType, tiny_checkpoints: dict, kind: str
) -> None:
    ours = impl.load_resized_state_dict(_tiny_vit(kind, 48), dict(tiny_checkpoints[kind]))
    theirs = _tiny_vit(kind, 48)
    theirs.load_state_dict(checkpoint_filter_fn(dict(tiny_checkpoints[kind]), theirs))
    err = float((ours.pos_embed - theirs.pos_embed).detach().abs().max())
    assert err < 1e-4, (
        f"a {kind} ViT has model.num_prefix_tokens = {theirs.num_prefix_tokens} prefix tokens: "
        f"resample with that many, like timm's checkpoint filter (pos_embed differs by {err:.3g})"
    )


@pytest.mark.clause("input-unchanged", "sd-unchanged")
def test_inputs_are_not_modified(impl: ModuleType, tiny_checkpoints: dict) -> None:
    pos = _pos_embed(1, 4, 4)
    before = pos.clone()
    impl.resample_pos_embed(pos, (2, 3))
    assert torch.equal(pos, before), "resample_pos_embed modified its input in place"
    state = dict(tiny_checkpoints["timm"])
    keys, pos_before = list(state), state["pos_embed"].clone()
    impl.load_resized_state_dict(_tiny_vit("timm", 48), state)
    assert list(state) == keys and torch.equal(state["pos_embed"], pos_before), (
        "load_resized_state_dict changed the caller's state_dict: copy it (dict(state_dict)) "
        "before replacing pos_embed"
    )
