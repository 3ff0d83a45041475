"""Tests of week1.pos_embed_resize: position-embedding resampling and resized checkpoint loading.

Oracles: ``timm.layers.resample_abs_pos_embed`` and timm's ViT checkpoint filter
(``timm.models.vision_transformer.checkpoint_filter_fn``), which resamples ``pos_embed`` when a
checkpoint is loaded at another image size.
Run: ``pytest weeks/week1/tests/test_pos_embed_resize.py``.
"""

from __future__ import annotations

from types import ModuleType

import pytest
import timm
import torch
from timm.layers import resample_abs_pos_embed
from timm.models.vision_transformer import checkpoint_filter_fn
from torch import nn


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


def test_square_grid_is_the_default(impl: ModuleType) -> None:
    pos = _pos_embed(1, 7, 7, seed=1)
    got = impl.resample_pos_embed(pos, (4, 4))
    want = resample_abs_pos_embed(pos, [4, 4], num_prefix_tokens=1)
    err = float((got - want).abs().max()) if got.shape == want.shape else float("inf")
    assert err < 1e-5, (
        "with old_size=None and num_prefix_tokens=1 (the defaults) the grid is square: 1 + 49 "
        f"tokens are a 7x7 grid; resampled to 4x4 yours differs from timm's by {err:.3g}"
    )


def test_same_size_returns_the_input(impl: ModuleType) -> None:
    pos = _pos_embed(1, 5, 4, seed=2)
    got = impl.resample_pos_embed(pos, (5, 4), old_size=(5, 4))
    assert got is pos or torch.equal(got, pos), (
        "resampling to the grid it already has must return the embeddings unchanged (bicubic "
        "interpolation with antialiasing is not exactly the identity, so skip it)"
    )


def test_inconsistent_sizes_raise(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.resample_pos_embed(_pos_embed(1, 4, 4), (3, 3), old_size=(5, 4))


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


def test_load_same_size_is_a_plain_load(impl: ModuleType, checkpoint_224: dict) -> None:
    model = impl.load_resized_state_dict(_timm_vit(224), checkpoint_224)
    for key, value in checkpoint_224.items():
        assert torch.equal(model.state_dict()[key], value), (
            f"at the checkpoint's own size every tensor should load unchanged, {key!r} changed"
        )


def test_load_is_strict(impl: ModuleType, checkpoint_224: dict) -> None:
    broken = {k: v for k, v in checkpoint_224.items() if k != "head.weight"}
    try:
        impl.load_resized_state_dict(_timm_vit(160), broken)
    except NotImplementedError:
        raise
    except RuntimeError:
        return  # load_state_dict(strict=True) reports the missing key
    pytest.fail("a state_dict without 'head.weight' must not load: use strict=True")
