"""Tests of week1.vit: patch embedding, attention, MLP, pre-norm blocks, and timm parity.

Oracles: a strided ``F.conv2d`` for the patch embedding, ``F.scaled_dot_product_attention`` for
attention, timm's ``Block`` and ``vit_tiny_patch16_224`` (random init, never pretrained) for the
rest: your model must have timm's parameter names, load its state dict with ``strict=True``, and
give the same outputs. Run: ``pytest weeks/week1/tests/test_vit.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
import timm
import torch
import torch.nn.functional as F
from timm.models.vision_transformer import Block as TimmBlock
from torch import nn

from grader import differential as diff


# -- helpers -----------------------------------------------------------------------------------
def _randomize(model: nn.Module, seed: int) -> nn.Module:
    """Random LayerNorm affines, biases and tokens, so parity tests are not trivial."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name:
                base = 1.0 if "norm" in name and name.endswith("weight") else 0.0
                p.copy_(base + torch.randn(p.shape, generator=g) * 0.1)
            elif name in ("cls_token", "pos_embed"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    return model.eval()


def _state_dict_problems(ours: nn.Module, theirs: nn.Module) -> str:
    """Missing, unexpected and mis-shaped keys of ``ours`` w.r.t. ``theirs``, for a message."""
    a = {k: tuple(v.shape) for k, v in ours.state_dict().items()}
    b = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    missing = [k for k in b if k not in a]
    unexpected = [k for k in a if k not in b]
    shapes = [f"{k}: yours {a[k]}, timm {b[k]}" for k in a if k in b and a[k] != b[k]]
    lines = []
    for label, items in (
        ("missing (timm has, you do not)", missing),
        ("unexpected (you have, timm does not)", unexpected),
        ("shape mismatch", shapes),
    ):
        if items:
            more = f" ... and {len(items) - 6} more" if len(items) > 6 else ""
            lines.append(f"{label}: {', '.join(items[:6])}{more}")
    return "; ".join(lines)


def _n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def _randn(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


# -- patch embedding ---------------------------------------------------------------------------
@pytest.mark.clause("patch-tokens", "patch-attrs")
def test_patch_embedding_matches_strided_conv(impl: ModuleType) -> None:
    torch.manual_seed(0)
    embed = impl.PatchEmbed(32, 8, 3, 16)
    assert isinstance(embed.proj, nn.Conv2d), "PatchEmbed.proj must be an nn.Conv2d"
    assert (tuple(embed.proj.kernel_size), tuple(embed.proj.stride)) == ((8, 8), (8, 8)), (
        "PatchEmbed(32, 8, 3, 16).proj should have kernel_size = stride = 8 (one output per "
        f"patch), got kernel {embed.proj.kernel_size}, stride {embed.proj.stride}"
    )
    assert embed.num_patches == 16 and tuple(embed.grid_size) == (4, 4), (
        "PatchEmbed(32, 8) should have grid_size (4, 4) and num_patches 16, got "
        f"{embed.grid_size} and {embed.num_patches}"
    )
    x = _randn(2, 3, 32, 32)
    with torch.no_grad():
        got = embed(x)
        want = F.conv2d(x, embed.proj.weight, embed.proj.bias, stride=8).flatten(2).transpose(1, 2)
    assert tuple(got.shape) == (2, 16, 16), (
        f"PatchEmbed(32, 8, 3, 16) on (2, 3, 32, 32) should give tokens (2, 16, 16) = (B, N, D), "
        f"got {tuple(got.shape)}"
    )
    err = float((got - want).abs().max())
    assert err < 1e-6, (
        "tokens should be conv2d(x, stride=patch).flatten(2).transpose(1, 2) (row-major patch "
        f"order, (B, N, D)); yours differ by {err:.3g}"
    )


@pytest.mark.clause("patch-checks")
def test_patch_embedding_rejects_sizes_that_do_not_tile(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.PatchEmbed(30, 8, 3, 16)
    embed = impl.PatchEmbed(32, 8, 3, 16)
    with pytest.raises(ValueError):
        embed(torch.zeros(1, 3, 36, 32))


# -- attention ---------------------------------------------------------------------------------
def _reference_attention(attn: nn.Module, x: torch.Tensor, heads: int) -> torch.Tensor:
    """Your Attention's weights run through torch's scaled_dot_product_attention."""
    batch, tokens, dim = x.shape
    qkv = F.linear(x, attn.qkv.weight, attn.qkv.bias)
    q, k, v = qkv.reshape(batch, tokens, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)
    out = F.scaled_dot_product_attention(q, k, v)
    out = out.transpose(1, 2).reshape(batch, tokens, dim)
    return F.linear(out, attn.proj.weight, attn.proj.bias)


@pytest.mark.clause("attn-attrs", "qkv-layout")
def test_attention_parameters(impl: ModuleType) -> None:
    attn = impl.Attention(24, num_heads=3)
    got = {k: tuple(v.shape) for k, v in attn.state_dict().items()}
    want = {
        "qkv.weight": (72, 24),
        "qkv.bias": (72,),
        "proj.weight": (24, 24),
        "proj.bias": (24,),
    }
    assert got == want, f"Attention(24, num_heads=3) parameters should be {want}, got {got}"
    assert (attn.num_heads, attn.head_dim) == (3, 8), "num_heads 3 and head_dim 24 // 3 = 8"
    assert abs(attn.scale - 8**-0.5) < 1e-9, f"scale should be head_dim ** -0.5, got {attn.scale}"


@pytest.mark.clause("heads-divide")
def test_attention_rejects_indivisible_heads(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.Attention(20, num_heads=3)


@pytest.mark.parametrize(("dim", "heads", "tokens"), [(24, 3, 7), (32, 4, 17), (16, 1, 5)])
@pytest.mark.clause("qkv-layout", "scores", "softmax", "merge-heads")
def test_attention_matches_scaled_dot_product_attention(
    impl: ModuleType, dim: int, heads: int, tokens: int
) -> None:
    torch.manual_seed(0)
    attn = impl.Attention(dim, num_heads=heads).eval()
    with torch.no_grad():
        for p in attn.parameters():
            p.normal_(0, 0.5)  # large enough that the softmax is far from uniform
        x = _randn(2, tokens, dim)
        got = attn(x)
        want = _reference_attention(attn, x, heads)
    assert tuple(got.shape) == (2, tokens, dim), (
        f"Attention({dim}, {heads}) must keep the shape (2, {tokens}, {dim}), got "
        f"{tuple(got.shape)}"
    )
    err = float((got - want).abs().max()) / max(1.0, float(want.abs().max()))
    assert err < 1e-5, (
        f"Attention({dim}, num_heads={heads}) differs from scaled_dot_product_attention on your "
        f"own weights by {err:.3g} (relative). Check: qkv reshaped to (B, N, 3, heads, "
        "head_dim) in that order, scores scaled by head_dim ** -0.5, softmax over the last "
        "dim (keys), heads merged back with transpose(1, 2) before reshape."
    )


@pytest.mark.clause("attention-weights", "softmax")
def test_attention_weights_rows_sum_to_one(impl: ModuleType) -> None:
    torch.manual_seed(0)
    attn = impl.Attention(24, num_heads=3).eval()
    with torch.no_grad():
        for p in attn.parameters():
            p.normal_(0, 0.5)
        x = _randn(2, 6, 24)
        got = attn.attention_weights(x)
        q, k, _ = (
            F.linear(x, attn.qkv.weight, attn.qkv.bias)
            .reshape(2, 6, 3, 3, 8)
            .permute(2, 0, 3, 1, 4)
        )
        want = (q @ k.transpose(-2, -1) * 8**-0.5).softmax(-1)
    assert tuple(got.shape) == (2, 3, 6, 6), (
        f"attention_weights should be (B, heads, N, N) = (2, 3, 6, 6), got {tuple(got.shape)}"
    )
    assert torch.allclose(got.sum(-1), torch.ones(2, 3, 6), atol=1e-5), (
        "each row of the attention probabilities (softmax over the LAST dim) must sum to 1"
    )
    err = float((got - want).abs().max())
    assert err < 1e-5, f"attention_weights differ from softmax(q k^T / sqrt(d)) by {err:.3g}"


# -- MLP and block -----------------------------------------------------------------------------
@pytest.mark.clause("mlp")
def test_mlp_is_linear_gelu_linear(impl: ModuleType) -> None:
    torch.manual_seed(0)
    mlp = impl.Mlp(16, 64).eval()
    got = {k: tuple(v.shape) for k, v in mlp.state_dict().items()}
    want = {"fc1.weight": (64, 16), "fc1.bias": (64,), "fc2.weight": (16, 64), "fc2.bias": (16,)}
    assert got == want, f"Mlp(16, 64) parameters should be {want}, got {got}"
    x = _randn(2, 5, 16) * 3
    with torch.no_grad():
        out = mlp(x)
        sd = mlp.state_dict()
        want_out = F.linear(
            F.gelu(F.linear(x, sd["fc1.weight"], sd["fc1.bias"])),
            *(sd["fc2.weight"], sd["fc2.bias"]),
        )
    err = float((out - want_out).abs().max())
    assert err < 1e-6, (
        f"Mlp should compute fc2(gelu(fc1(x))) with the exact (erf) GELU; yours differs by "
        f"{err:.3g} (ReLU or the tanh approximation?)"
    )


def _timm_block(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return _randomize(TimmBlock(dim=32, num_heads=4, mlp_ratio=4.0, qkv_bias=True), seed)


@pytest.mark.clause("block-modules", "timm-names")
def test_block_parameter_names_match_timm(impl: ModuleType) -> None:
    problems = _state_dict_problems(impl.Block(32, 4), _timm_block(1))
    assert not problems, f"Block(32, 4) should have the parameters of timm's Block: {problems}"


@pytest.mark.clause("pre-norm")
def test_block_is_pre_norm_and_matches_timm(impl: ModuleType) -> None:
    theirs = _timm_block(1)
    ours = impl.Block(32, 4).eval()
    problems = _state_dict_problems(ours, theirs)
    assert not problems, f"Block(32, 4) cannot load timm's Block weights: {problems}"
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = _randn(2, 9, 32) * 2 + 1
    with torch.no_grad():
        got, want = ours(x), theirs(x)
        h = x + ours.attn(ours.norm1(x))
        pre_norm = h + ours.mlp(ours.norm2(h))
    err_pre = float((got - pre_norm).abs().max())
    assert err_pre < 1e-5, (
        "a ViT block is pre-norm: x = x + attn(norm1(x)); x = x + mlp(norm2(x)). Your block "
        f"differs from that (using your own norm1/attn/norm2/mlp) by {err_pre:.3g}: is the "
        "LayerNorm applied after the residual addition (post-norm)?"
    )
    err = float((got - want).abs().max())
    assert err < 1e-5, (
        f"with timm's weights your Block differs from timm's by {err:.3g} (LayerNorm eps 1e-6?)"
    )


# -- the model ---------------------------------------------------------------------------------
def _small(impl: ModuleType, depth: int = 1, num_classes: int = 5) -> nn.Module:
    torch.manual_seed(0)
    return impl.VisionTransformer(
        img_size=16,
        patch_size=4,
        in_chans=3,
        num_classes=num_classes,
        embed_dim=16,
        depth=depth,
        num_heads=2,
    )


@pytest.mark.clause("cls-token", "pos-embed")
def test_class_token_and_position_embedding(impl: ModuleType) -> None:
    model = _randomize(_small(impl, depth=0), seed=3)
    shapes = {n: tuple(getattr(model, n).shape) for n in ("cls_token", "pos_embed")}
    assert shapes == {"cls_token": (1, 1, 16), "pos_embed": (1, 17, 16)}, (
        "with 16 patches of width 16, cls_token should be (1, 1, 16) and pos_embed (1, 17, 16) "
        f"(one embedding per patch PLUS one for the class token), got {shapes}"
    )
    x = _randn(2, 3, 16, 16)
    with torch.no_grad():
        tokens = model.forward_features(x)
        patches = model.patch_embed(x)
        cls = model.cls_token.expand(2, -1, -1)
        want = model.norm(torch.cat([cls, patches], dim=1) + model.pos_embed)
    assert tuple(tokens.shape) == (2, 17, 16), (
        f"forward_features should return (B, 1 + N, D) = (2, 17, 16), got {tuple(tokens.shape)}"
    )
    err = float((tokens - want).abs().max())
    assert err < 1e-5, (
        "with depth=0, forward_features(x) should be norm(cat([cls_token, patch_embed(x)]) + "
        f"pos_embed): the class token first, pos_embed added to ALL tokens (its row 0 to the "
        f"class token), then the final norm. Yours differs by {err:.3g}"
    )


@pytest.mark.clause("head", "cls-token")
def test_head_classifies_the_class_token(impl: ModuleType) -> None:
    model = _randomize(_small(impl), seed=4)
    tokens = _randn(3, 17, 16)
    with torch.no_grad():
        got = model.forward_head(tokens)
        want = model.head(tokens[:, 0])
        feats = model.forward_head(tokens, pre_logits=True)
    assert tuple(got.shape) == (3, 5), f"forward_head should give (3, 5) logits, got {got.shape}"
    err = float((got - want).abs().max())
    assert err < 1e-6, (
        "forward_head should classify the class token, head(x[:, 0]), not the mean of the tokens "
        f"(no global average pooling in this ViT); yours differs by {err:.3g}"
    )
    assert torch.allclose(feats, tokens[:, 0]), (
        "forward_head(x, pre_logits=True) should return the class token's features x[:, 0]"
    )


@pytest.mark.clause("features", "final-norm")
def test_forward_is_features_then_head(impl: ModuleType) -> None:
    model = _randomize(_small(impl, depth=2), seed=5)
    x = _randn(2, 3, 16, 16)
    with torch.no_grad():
        got, want = model(x), model.forward_head(model.forward_features(x))
    assert tuple(got.shape) == (2, 5), f"logits should be (2, 5), got {tuple(got.shape)}"
    assert torch.allclose(got, want, atol=1e-6), (
        "forward(x) must be forward_head(forward_features(x))"
    )


@pytest.mark.clause("size-check")
def test_wrong_image_size_raises_a_clear_error(impl: ModuleType) -> None:
    model = _small(impl)
    with pytest.raises(ValueError):
        model(torch.zeros(1, 3, 24, 24))


CONFIGS = [
    pytest.param({}, 224, id="vit_tiny_224"),
    pytest.param(
        {"num_classes": 26, "img_size": 32, "patch_size": 8, "depth": 2}, 32, id="32px_p8"
    ),
    pytest.param(
        {"num_classes": 26, "img_size": 32, "patch_size": 4, "depth": 2}, 32, id="32px_p4"
    ),
]


@pytest.fixture(scope="module")
def timm_vits() -> dict[str, nn.Module]:
    """timm's vit_tiny_patch16_224 for each config (random init, randomised biases, eval)."""
    return {}


def _pair(impl: ModuleType, cache: dict, kwargs: dict) -> tuple[nn.Module, nn.Module]:
    """(yours, timm's) ``vit_tiny_patch16_224(**kwargs)``, each built once per module."""
    key = repr(sorted(kwargs.items()))
    if key not in cache:
        torch.manual_seed(0)
        theirs = timm.create_model("vit_tiny_patch16_224", pretrained=False, **kwargs)
        cache[key] = _randomize(theirs, seed=len(cache) + 1)
    if (impl.__name__, key) not in cache:
        cache[impl.__name__, key] = impl.vit_tiny_patch16_224(**kwargs)
    return cache[impl.__name__, key], cache[key]


@pytest.mark.parametrize(("kwargs", "size"), CONFIGS)
@pytest.mark.clause("tiny", "tiny-kwargs", "timm-names")
def test_parameter_count_matches_timm(
    impl: ModuleType, timm_vits: dict, kwargs: dict, size: int
) -> None:
    ours, theirs = _pair(impl, timm_vits, kwargs)
    got, want = _n_params(ours), _n_params(theirs)
    assert got == want, (
        f"vit_tiny_patch16_224(**{kwargs}) should have {want:,} parameters like timm's, got "
        f"{got:,} ({got - want:+,}). Check embed_dim 192, depth 12, 3 heads, mlp_ratio 4, and "
        "that pos_embed covers the class token."
    )


@pytest.mark.parametrize(("kwargs", "size"), CONFIGS)
@pytest.mark.clause("timm-names", "final-norm")
def test_outputs_match_timm(impl: ModuleType, timm_vits: dict, kwargs: dict, size: int) -> None:
    ours, theirs = _pair(impl, timm_vits, kwargs)
    problems = _state_dict_problems(ours, theirs)
    assert not problems, f"timm's vit_tiny_patch16_224(**{kwargs}) does not fit: {problems}"
    ours.load_state_dict(theirs.state_dict(), strict=True)
    ours.eval()
    x = _randn(1 if size > 64 else 2, 3, size, size, seed=1)
    with torch.no_grad():
        feats, want_feats = ours.forward_features(x), theirs.forward_features(x)
        got, want = ours.forward_head(feats), theirs.forward_head(want_feats)
    err = float((feats - want_feats).abs().max())
    assert err < 1e-5, (
        f"with timm's weights, forward_features differs from timm's by {err:.3g} (max abs, eval "
        "mode). Did you apply the final norm to every token? The block tests above localise it."
    )
    assert got.shape == want.shape, f"output shape {tuple(got.shape)}, want {tuple(want.shape)}"
    err = float((got - want).abs().max())
    assert err < 1e-5, (
        f"with timm's weights, vit_tiny_patch16_224(**{kwargs}) differs from timm's by {err:.3g}"
    )


@pytest.mark.clause("train-mode")
def test_gradients_reach_every_parameter(impl: ModuleType) -> None:
    model = _small(impl, depth=2).train()
    x, labels = _randn(2, 3, 16, 16), torch.tensor([1, 3])
    F.cross_entropy(model(x), labels).backward()
    dead = [n for n, p in model.named_parameters() if p.grad is None or not bool(p.grad.any())]
    assert not dead, f"{len(dead)} parameters get no gradient (unused in forward?): {dead[:6]}"


@pytest.mark.clause("no-head")
def test_num_classes_zero_gives_features(impl: ModuleType) -> None:
    model = _small(impl, num_classes=0).eval()
    with torch.no_grad():
        out = model(_randn(2, 3, 16, 16))
    assert tuple(out.shape) == (2, 16), (
        f"with num_classes=0 the head is nn.Identity and forward returns (B, D) = (2, 16), got "
        f"{tuple(out.shape)}"
    )


@pytest.mark.clause("drop-path-rates")
def test_stochastic_depth_grows_linearly(impl: ModuleType) -> None:
    model = impl.vit_tiny_patch16_224(img_size=32, patch_size=8, depth=3, drop_path_rate=0.2)
    got = [round(float(getattr(b.drop_path1, "p", 0.0)), 4) for b in model.blocks]
    assert got == [0.0, 0.1, 0.2], (
        "block i of 3 should get drop_path_rate * i / (depth - 1): want [0.0, 0.1, 0.2], got "
        f"{got} (use the given _drop_path for drop_path1/drop_path2)"
    )


# -- judged against the reference (train and eval mode, values and gradients) ------------------
def _run(build: Callable[[ModuleType], nn.Module], x: torch.Tensor, train: bool) -> Callable:
    """``module -> (output, input gradient, parameter gradients by name)`` for a module built by
    ``build(module)``, with the reference's initial weights loaded (the names are timm's)."""

    def run(module: ModuleType) -> tuple:
        torch.manual_seed(0)
        net = build(module)
        torch.manual_seed(0)
        weights = build(_REFERENCE[0]).state_dict()
        net.load_state_dict(_randomize_state(weights), strict=True)
        net.train(train)
        inp = x.clone().requires_grad_(True)
        torch.manual_seed(123)  # the same dropout / drop-path masks for both
        out = net(inp)
        weight = torch.linspace(-1, 1, out.numel()).reshape(out.shape)
        (out * weight).sum().backward()
        grads = {n: p.grad.numpy() for n, p in net.named_parameters() if p.grad is not None}
        return out.detach().numpy(), inp.grad.numpy(), grads

    return run


_REFERENCE: list[ModuleType] = []


def _randomize_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(7)
    return {k: v + 0.1 * torch.randn(v.shape, generator=g) for k, v in state.items()}


# float32 sums over a few dozen terms, differently ordered in a correct answer: ~1e-5 relative
TOL = {"rtol": 1e-4, "atol": 1e-5}

MODULES: dict[str, tuple[Callable[[ModuleType], nn.Module], tuple[int, ...]]] = {
    "patch_embed_rgba_nonsquare": (lambda m: m.PatchEmbed(16, 4, 4, 8), (2, 4, 8, 12)),
    "patch_embed_grey": (lambda m: m.PatchEmbed(8, 2, 1, 6), (2, 1, 8, 8)),
    "attention_no_qkv_bias": (lambda m: m.Attention(12, 3, False, 0.3, 0.2), (2, 5, 12)),
    "attention_one_head": (lambda m: m.Attention(8, 1, True, 0.0, 0.4), (3, 4, 8)),
    "mlp_defaults": (lambda m: m.Mlp(6, drop=0.3), (2, 3, 6)),
    "mlp_widths": (lambda m: m.Mlp(6, 10, 4, 0.2), (2, 3, 6)),
    "block_all_dropout": (lambda m: m.Block(12, 3, 2.0, False, 0.2, 0.3, 0.5), (4, 5, 12)),
    "vit_all_dropout": (
        lambda m: m.VisionTransformer(
            img_size=16,
            patch_size=4,
            in_chans=1,
            num_classes=3,
            embed_dim=12,
            depth=3,
            num_heads=2,
            mlp_ratio=1.5,
            qkv_bias=False,
            drop_rate=0.2,
            attn_drop_rate=0.1,
            drop_path_rate=0.4,
        ),  # fmt: skip
        (4, 1, 16, 16),
    ),
    "vit_no_head": (
        lambda m: m.VisionTransformer(
            img_size=8,
            patch_size=4,
            in_chans=4,
            num_classes=0,
            embed_dim=8,
            depth=2,
            num_heads=2,
            drop_path_rate=0.3,
        ),  # fmt: skip
        (3, 4, 8, 8),
    ),
    "vit_tiny_small": (
        lambda m: m.vit_tiny_patch16_224(
            num_classes=4, img_size=16, patch_size=8, depth=2, embed_dim=12, drop_rate=0.1
        ),
        (2, 3, 16, 16),
    ),
}


@pytest.mark.clause(
    "train-mode", "patch-tokens", "qkv-layout", "scores", "softmax", "merge-heads", "qkv-bias",
    "mlp", "mlp-widths", "pre-norm", "block-modules", "cls-token", "pos-embed",
    "drop-path-rates", "final-norm", "no-head", "head", "features", "tiny-kwargs", "timm-names",
)  # fmt: skip
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, train: bool
) -> None:
    _REFERENCE[:] = [reference]
    build, shape = MODULES[name]
    x = _randn(*shape, seed=3)
    run = _run(build, x, train)
    want = diff.assert_same(lambda: run(impl), lambda: run(reference), **TOL)
    # every case here is valid: the reference raising would make any error "agree"
    assert want is not None, f"test bug: the reference fails on case {name}"


@pytest.mark.clause("attention-weights", "pre-logits", "attn-attrs", "vit-attrs", "patch-attrs")
def test_helpers_and_attributes_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType
) -> None:
    def probe(module: ModuleType) -> tuple:
        torch.manual_seed(0)
        attn = module.Attention(12, 4, True, 0.5, 0.5).train()
        torch.manual_seed(0)
        vit = module.VisionTransformer(
            img_size=12, patch_size=4, num_classes=3, embed_dim=8, depth=1, num_heads=2,
            drop_rate=0.5,
        ).train()  # fmt: skip
        torch.manual_seed(1)
        tokens = vit.forward_features(_randn(2, 3, 12, 12, seed=5))
        torch.manual_seed(2)
        pre = vit.forward_head(tokens, pre_logits=True)
        pe = vit.patch_embed
        return (
            attn.attention_weights(_randn(2, 5, 12, seed=4)).detach().numpy(),
            (attn.num_heads, attn.head_dim, attn.scale),
            pre.detach().numpy(),
            (vit.num_classes, vit.embed_dim, vit.num_features, vit.num_prefix_tokens),
            (pe.img_size, pe.patch_size, pe.grid_size, pe.num_patches),
        )

    diff.assert_same(lambda: probe(impl), lambda: probe(reference), **TOL)


@pytest.mark.clause("patch-checks", "heads-divide", "size-check")
@pytest.mark.parametrize(
    "case",
    ["img_not_multiple", "heads_not_dividing", "input_not_multiple", "other_size",
     "nonsquare_ok", "vit_heads"],
)  # fmt: skip
def test_errors_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: str
) -> None:
    impl.PatchEmbed(8, 4, 3, 4)  # an unwritten stub is "not started", not a pass

    def go(module: ModuleType) -> object:
        if case == "img_not_multiple":
            return module.PatchEmbed(10, 4, 3, 4)
        if case == "heads_not_dividing":
            return module.Attention(10, 3)
        if case == "vit_heads":
            return module.VisionTransformer(img_size=8, patch_size=4, embed_dim=10, num_heads=4)
        if case == "input_not_multiple":
            return module.PatchEmbed(8, 4, 3, 4)(torch.zeros(1, 3, 8, 10))
        if case == "nonsquare_ok":
            return tuple(module.PatchEmbed(8, 4, 3, 4)(torch.zeros(1, 3, 8, 12)).shape)
        model = module.VisionTransformer(
            img_size=8, patch_size=4, embed_dim=8, depth=1, num_heads=2
        )
        return model(torch.zeros(1, 3, 12, 12))

    outcome = diff.call(go, reference)
    diff.assert_same(
        lambda: go(impl) if outcome.raised or case == "nonsquare_ok" else None,
        lambda: go(reference) if outcome.raised or case == "nonsquare_ok" else None,
    )
