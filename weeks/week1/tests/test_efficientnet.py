"""Tests of week1.efficientnet: compound scaling, drop path, SE, MBConv, and timm parity.

timm's ``efficientnet_b0/b1/b3`` (random init, never pretrained) are the oracle: your model must
have their parameter names and counts, load their state dict with ``strict=True``, and give the
same outputs. Run: ``pytest weeks/week1/tests/test_efficientnet.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import timm
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from grader import differential as diff

VARIANTS = ("b0", "b1", "b3")
STEM_AND_STAGES = (32, 16, 24, 40, 80, 112, 192, 320, 1280)
ROUND_FILTERS = {
    # width_mult -> round_filters(c, width_mult) for c in STEM_AND_STAGES (stem, 7 stages, head)
    1.0: (32, 16, 24, 40, 80, 112, 192, 320, 1280),
    1.1: (32, 16, 24, 48, 88, 120, 208, 352, 1408),
    1.2: (40, 24, 32, 48, 96, 136, 232, 384, 1536),
}
B0_REPEATS = (1, 2, 2, 3, 3, 4, 1)
ROUND_REPEATS = {
    # depth_mult -> round_repeats(r, depth_mult) for r in B0_REPEATS
    1.0: (1, 2, 2, 3, 3, 4, 1),
    1.1: (2, 3, 3, 4, 4, 5, 2),
    1.2: (2, 3, 3, 4, 4, 5, 2),
    1.4: (2, 3, 3, 5, 5, 6, 2),
}


# -- fixtures and helpers ----------------------------------------------------------------------
def _randomize(model: nn.Module, seed: int) -> nn.Module:
    """Give BN statistics/affines and all biases random values so parity tests are not trivial."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            elif isinstance(m, nn.Conv2d | nn.Linear) and m.bias is not None:
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    return model.eval()


@pytest.fixture(scope="module")
def timm_model() -> Callable[[str], nn.Module]:
    """``timm_model("b0")``: timm's efficientnet_b0 (random init, eval mode), built once."""
    cache: dict[str, nn.Module] = {}

    def get(variant: str) -> nn.Module:
        if variant not in cache:
            torch.manual_seed(0)
            model = timm.create_model(f"efficientnet_{variant}", pretrained=False)
            cache[variant] = _randomize(model, seed=len(cache) + 1)
        return cache[variant]

    return get


def _n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


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


_BUILT: dict[tuple[str, str], nn.Module] = {}


def _build(impl: ModuleType, variant: str) -> nn.Module:
    """``impl.efficientnet_<variant>()`` with default arguments, built once per module."""
    key = (impl.__name__, variant)
    if key not in _BUILT:
        _BUILT[key] = getattr(impl, f"efficientnet_{variant}")()
    return _BUILT[key]


# -- compound scaling --------------------------------------------------------------------------
@pytest.mark.parametrize("width_mult", sorted(ROUND_FILTERS), ids=lambda w: f"width{w}")
@pytest.mark.clause("round-nearest", "round-int")
def test_round_filters_matches_the_scaling_table(impl: ModuleType, width_mult: float) -> None:
    got = tuple(impl.round_filters(c, width_mult) for c in STEM_AND_STAGES)
    want = ROUND_FILTERS[width_mult]
    assert got == want, (
        f"round_filters(c, {width_mult}) for c in {STEM_AND_STAGES} should be {want}, got {got}. "
        "Round c * width_mult to the nearest multiple of 8 (halves up), never below 8, and add 8 "
        "if that lost more than 10%."
    )


@pytest.mark.clause("round-guard")
def test_round_filters_never_drops_more_than_ten_percent(impl: ModuleType) -> None:
    got = impl.round_filters(16, 1.2)
    assert got == 24, (
        "round_filters(16, 1.2) should be 24: 19.2 rounds to 16, which is more than 10% below "
        f"19.2, so the 10% guard adds one more divisor; got {got}"
    )


@pytest.mark.parametrize(
    ("channels", "width_mult", "divisor", "want"),
    [(3, 0.5, 8, 8), (100, 1.0, 16, 96), (30, 1.0, 4, 32)],
)
@pytest.mark.clause("round-min", "round-nearest")
def test_round_filters_uses_divisor_and_minimum(
    impl: ModuleType, channels: int, width_mult: float, divisor: int, want: int
) -> None:
    got = impl.round_filters(channels, width_mult, divisor)
    assert got == want, (
        f"round_filters({channels}, {width_mult}, divisor={divisor}) should be {want} (a multiple "
        f"of the divisor, at least the divisor), got {got}"
    )


@pytest.mark.parametrize("depth_mult", sorted(ROUND_REPEATS), ids=lambda d: f"depth{d}")
@pytest.mark.clause("repeats-ceil")
def test_round_repeats_rounds_up(impl: ModuleType, depth_mult: float) -> None:
    got = tuple(impl.round_repeats(r, depth_mult) for r in B0_REPEATS)
    want = ROUND_REPEATS[depth_mult]
    assert got == want, (
        f"round_repeats(r, {depth_mult}) for B0's repeats {B0_REPEATS} should be {want} "
        f"(ceil(r * depth_mult)), got {got}"
    )


# -- drop path ---------------------------------------------------------------------------------
@pytest.mark.clause("identity")
def test_drop_path_is_identity_in_eval_and_at_zero(impl: ModuleType) -> None:
    x = torch.randn(8, 4, 3, 3)
    for kwargs, when in (
        ({"drop_prob": 0.5, "training": False}, "in eval mode (training=False)"),
        ({"drop_prob": 0.0, "training": True}, "with drop_prob=0"),
        ({}, "with the default arguments"),
    ):
        y = impl.drop_path(x, **kwargs)
        assert y.shape == x.shape and torch.equal(y, x), f"drop_path must return x unchanged {when}"


@pytest.mark.clause("per-sample")
def test_drop_path_zeroes_whole_samples(impl: ModuleType) -> None:
    torch.manual_seed(0)
    x = torch.ones(2000, 3, 4, 4)
    y = impl.drop_path(x, 0.25, training=True)
    assert y.shape == x.shape, f"drop_path changed the shape {tuple(x.shape)} -> {tuple(y.shape)}"
    flat = y.reshape(len(y), -1)
    mixed = int((flat.amax(dim=1) != flat.amin(dim=1)).sum())
    assert mixed == 0, (
        f"{mixed} of 2000 samples are partly dropped: drop_path must draw ONE random value per "
        "sample (a mask of shape (N, 1, 1, 1)), not one per element"
    )
    dropped = float((flat[:, 0] == 0).float().mean())
    assert 0.2 < dropped < 0.3, (
        f"with drop_prob=0.25 about 25% of samples should be zero, got {dropped:.1%}"
    )


@pytest.mark.clause("rescale")
def test_drop_path_rescales_kept_samples(impl: ModuleType) -> None:
    torch.manual_seed(1)
    x = torch.ones(2000, 5)
    y = impl.drop_path(x, 0.25, training=True)
    kept = y[y != 0]
    assert kept.numel() > 0, "drop_path with drop_prob=0.25 dropped every sample"
    assert torch.allclose(kept, torch.full_like(kept, 1 / 0.75)), (
        "kept samples must be divided by keep_prob = 1 - drop_prob (0.75 here) so the expected "
        f"value stays the same: ones should become {1 / 0.75:.4f}, got values "
        f"{sorted({round(v, 4) for v in kept.tolist()})[:5]}"
    )
    assert abs(float(y.mean()) - 1.0) < 0.05, (
        f"the mean of drop_path(ones) should stay close to 1, got {float(y.mean()):.3f}"
    )


# -- squeeze-excitation ------------------------------------------------------------------------
@pytest.mark.clause("se", "timm-names")
def test_squeeze_excite_parameters(impl: ModuleType) -> None:
    se = impl.SqueezeExcite(96, 4)
    got = {k: tuple(v.shape) for k, v in se.state_dict().items()}
    want = {
        "conv_reduce.weight": (4, 96, 1, 1),
        "conv_reduce.bias": (4,),
        "conv_expand.weight": (96, 4, 1, 1),
        "conv_expand.bias": (96,),
    }
    assert got == want, f"SqueezeExcite(96, 4) parameters should be {want}, got {got}"


@pytest.mark.clause("se")
def test_squeeze_excite_gates_channels(impl: ModuleType) -> None:
    torch.manual_seed(0)
    se = impl.SqueezeExcite(8, 2)
    with torch.no_grad():
        for p in se.parameters():
            p.normal_()
    x = torch.rand(3, 8, 5, 5) + 0.5
    with torch.no_grad():
        y = se(x)
    assert y.shape == x.shape, f"SE must keep the shape {tuple(x.shape)}, got {tuple(y.shape)}"
    gate = y / x
    assert torch.allclose(gate, gate[:, :, :1, :1].expand_as(gate), atol=1e-5), (
        "SE must multiply each channel by ONE gate value per (sample, channel), the same at every "
        "pixel"
    )
    assert bool(((gate > 0) & (gate < 1)).all()), "SE gates must lie in (0, 1): use a sigmoid"
    sd = se.state_dict()
    s = x.mean((2, 3), keepdim=True)
    s = F.conv2d(s, sd["conv_reduce.weight"], sd["conv_reduce.bias"])
    s = F.conv2d(F.silu(s), sd["conv_expand.weight"], sd["conv_expand.bias"])
    want = x * torch.sigmoid(s)
    err = float((y - want).abs().max())
    assert err < 1e-5, (
        "SE should compute x * sigmoid(conv_expand(silu(conv_reduce(mean over H, W)))); your "
        f"output differs by {err:.3g} (SiLU, not ReLU, between the two convs?)"
    )


# -- blocks ------------------------------------------------------------------------------------
BLOCKS = [
    # timm's blocks.{stage}.{i} in efficientnet_b0, our class, constructor args, input channels
    pytest.param("0.0", "DepthwiseSeparable", (32, 16, 3, 1), 32, id="ds_32_16"),
    pytest.param("1.0", "MBConv", (16, 24, 3, 2), 16, id="mbconv_16_24_k3_s2"),
    pytest.param("1.1", "MBConv", (24, 24, 3, 1), 24, id="mbconv_24_24_k3_residual"),
    pytest.param("2.0", "MBConv", (24, 40, 5, 2), 24, id="mbconv_24_40_k5_s2"),
]


def _timm_block(model: nn.Module, where: str) -> nn.Module:
    stage, index = (int(i) for i in where.split("."))
    return model.blocks[stage][index]


@pytest.mark.parametrize(("where", "cls", "args", "in_chs"), BLOCKS)
@pytest.mark.clause("ds-modules", "mb-modules", "timm-names", "se-width")
def test_block_parameter_names_match_timm(
    impl: ModuleType, timm_model: Callable, where: str, cls: str, args: tuple, in_chs: int
) -> None:
    ours = getattr(impl, cls)(*args)
    problems = _state_dict_problems(ours, _timm_block(timm_model("b0"), where))
    assert not problems, (
        f"{cls}{args} should have the parameters of timm's efficientnet_b0 blocks.{where}: "
        f"{problems}"
    )


@pytest.mark.parametrize(("where", "cls", "args", "in_chs"), BLOCKS)
@pytest.mark.clause("ds-modules", "mb-modules", "convs")
def test_block_output_matches_timm(
    impl: ModuleType, timm_model: Callable, where: str, cls: str, args: tuple, in_chs: int
) -> None:
    ours = getattr(impl, cls)(*args).eval()
    theirs = _timm_block(timm_model("b0"), where)
    problems = _state_dict_problems(ours, theirs)
    assert not problems, f"{cls}{args} cannot load timm's blocks.{where} weights: {problems}"
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, in_chs, 16, 16, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got, want = ours(x), theirs(x)
    assert got.shape == want.shape, (
        f"{cls}{args} output shape {tuple(got.shape)}, want {tuple(want.shape)}"
    )
    err = float((got - want).abs().max())
    assert err < 1e-5, (
        f"{cls}{args} with timm's weights differs from timm's blocks.{where} by {err:.3g}. Check "
        "the order (expand, depthwise, SE, project), SiLU after bn1/bn2 only, the SE width "
        "(a quarter of the block INPUT channels) and the residual."
    )


@pytest.mark.parametrize(
    ("args", "size", "want"),
    [
        ((16, 24, 3, 2), 15, (2, 24, 8, 8)),
        ((24, 40, 5, 2), 16, (2, 40, 8, 8)),
        ((40, 40, 5, 1), 9, (2, 40, 9, 9)),
    ],
)
@pytest.mark.clause("convs", "mb-modules")
def test_mbconv_output_shape(impl: ModuleType, args: tuple, size: int, want: tuple) -> None:
    block = impl.MBConv(*args).eval()
    with torch.no_grad():
        got = tuple(block(torch.randn(2, args[0], size, size)).shape)
    assert got == want, (
        f"MBConv{args} on a (2, {args[0]}, {size}, {size}) input should give {want}, got {got} "
        "(padding kernel_size // 2, stride only on the depthwise conv)"
    )


@pytest.mark.parametrize(
    ("cls", "args", "residual"),
    [
        ("MBConv", (24, 24, 3, 1), True),
        ("MBConv", (24, 24, 3, 2), False),
        ("MBConv", (24, 40, 5, 1), False),
        ("DepthwiseSeparable", (16, 16, 3, 1), True),
        ("DepthwiseSeparable", (32, 16, 3, 1), False),
    ],
)
@pytest.mark.clause("ds-residual", "mb-residual")
def test_residual_only_with_stride_one_and_same_channels(
    impl: ModuleType, cls: str, args: tuple, residual: bool
) -> None:
    block = getattr(impl, cls)(*args).eval()
    last_bn = block.bn3 if cls == "MBConv" else block.bn2
    with torch.no_grad():
        last_bn.weight.zero_()  # the branch now outputs exactly zero
        last_bn.bias.zero_()
        x = torch.randn(2, args[0], 8, 8)
        y = block(x)
    if residual:
        assert torch.equal(y, x), (
            f"{cls}{args} has stride 1 and in == out channels: it must add the input back "
            "(output = branch + x)"
        )
    else:
        assert not bool(y.any()), (
            f"{cls}{args} must NOT have a residual connection (stride {args[3]}, {args[0]} -> "
            f"{args[1]} channels): a residual needs stride 1 and in == out channels"
        )


@pytest.mark.clause("mb-residual")
def test_stochastic_depth_drops_the_branch_not_the_shortcut(impl: ModuleType) -> None:
    torch.manual_seed(0)
    block = impl.MBConv(24, 24, 3, 1, drop_path_rate=0.5).train()
    x = torch.randn(64, 24, 4, 4)
    with torch.no_grad():
        y = block(x)
        identical = int((y == x).flatten(1).all(dim=1).sum())
        assert 10 < identical < 54, (
            "MBConv(24, 24, drop_path_rate=0.5) in training mode should return exactly x for "
            f"about half of the 64 samples (branch dropped, shortcut kept), got {identical}"
        )
        block.eval()
        identical = int((block(x) == x).flatten(1).all(dim=1).sum())
    assert identical == 0, "in eval mode stochastic depth must be off (no branch dropped)"


# -- the model ---------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.clause("variants", "stages")
def test_parameter_count_matches_timm(impl: ModuleType, timm_model: Callable, variant: str) -> None:
    got, want = _n_params(_build(impl, variant)), _n_params(timm_model(variant))
    assert got == want, (
        f"efficientnet_{variant}() should have {want:,} parameters like timm's, got {got:,} "
        f"({got - want:+,}). Check the scaled widths and depths, the SE width and conv biases."
    )


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.clause("stages")
def test_stage_depths_and_widths(impl: ModuleType, timm_model: Callable, variant: str) -> None:
    ours, theirs = _build(impl, variant), timm_model(variant)
    got = [len(stage) for stage in ours.blocks]
    want = [len(stage) for stage in theirs.blocks]
    assert got == want, f"efficientnet_{variant} blocks per stage should be {want}, got {got}"
    got_chs = [ours.conv_stem.out_channels, ours.conv_head.out_channels]
    want_chs = [theirs.conv_stem.out_channels, theirs.conv_head.out_channels]
    assert got_chs == want_chs, (
        f"efficientnet_{variant} stem and head channels should be {want_chs}, got {got_chs}"
    )


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.clause("timm-names")
def test_timm_state_dict_loads_strict(impl: ModuleType, timm_model: Callable, variant: str) -> None:
    ours, theirs = _build(impl, variant), timm_model(variant)
    problems = _state_dict_problems(ours, theirs)
    assert not problems, f"timm's efficientnet_{variant} state dict does not fit: {problems}"
    ours.load_state_dict(theirs.state_dict(), strict=True)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.clause("timm-names", "features", "head")
def test_outputs_match_timm(impl: ModuleType, timm_model: Callable, variant: str) -> None:
    ours = _build(impl, variant).eval()  # first: an untouched stub raises before timm builds
    theirs = timm_model(variant)
    problems = _state_dict_problems(ours, theirs)
    assert not problems, f"timm's efficientnet_{variant} state dict does not fit: {problems}"
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got, want = ours(x), theirs(x)
    assert got.shape == want.shape, f"output shape {tuple(got.shape)}, want {tuple(want.shape)}"
    err = float((got - want).abs().max())
    assert err < 1e-5, (
        f"with timm's weights, efficientnet_{variant} differs from timm's by {err:.3g} (max abs, "
        "eval mode). The block tests above localise the difference."
    )


@pytest.mark.clause("train-mode")
def test_gradients_reach_every_parameter(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = impl.efficientnet_b0(num_classes=5, drop_rate=0.0, drop_path_rate=0.0).train()
    x, labels = torch.randn(2, 3, 64, 64), torch.tensor([1, 3])
    F.cross_entropy(model(x), labels).backward()
    dead = [n for n, p in model.named_parameters() if p.grad is None or not bool(p.grad.any())]
    assert not dead, (
        f"{len(dead)} parameters get no gradient (unused in forward?): {', '.join(dead[:6])}"
    )


@pytest.mark.clause("variant-args", "attrs")
def test_num_classes_and_in_chans_are_respected(impl: ModuleType) -> None:
    model = impl.efficientnet_b0(num_classes=7, in_chans=1).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 1, 64, 64))
    assert tuple(out.shape) == (2, 7), (
        f"efficientnet_b0(num_classes=7, in_chans=1) on (2, 1, 64, 64) should output (2, 7), got "
        f"{tuple(out.shape)}"
    )
    assert model.classifier.out_features == 7, "classifier must be nn.Linear(num_features, 7)"


@pytest.mark.clause("variant-dropout")
def test_default_dropout_comes_from_scaling(impl: ModuleType) -> None:
    for variant in ("b0", "b3"):
        model = _build(impl, variant)
        want = impl.SCALING[variant][3]
        assert model.drop_rate == want, (
            f"efficientnet_{variant}() should use SCALING[{variant!r}]'s dropout {want} when "
            f"drop_rate is None, got drop_rate={model.drop_rate}"
        )
    assert impl.efficientnet_b0(drop_rate=0.1).drop_rate == 0.1, "an explicit drop_rate wins"


@pytest.mark.clause("head")
def test_dropout_only_in_training(impl: ModuleType) -> None:
    torch.manual_seed(0)
    x = torch.randn(4, 3, 32, 32)
    model = impl.efficientnet_b0(num_classes=4, drop_rate=0.5, drop_path_rate=0.0)
    with torch.no_grad():
        a, b = model.train()(x), model(x)
        assert not torch.equal(a, b), (
            "with drop_rate=0.5 two training-mode forwards should differ: apply dropout to the "
            "pooled features before the classifier"
        )
        model.eval()
        assert torch.equal(model(x), model(x)), "in eval mode the model must be deterministic"


@pytest.mark.clause("drop-path-rates")
def test_stochastic_depth_grows_linearly(impl: ModuleType) -> None:
    model = impl.efficientnet_b0(drop_path_rate=0.2)
    blocks = [block for stage in model.blocks for block in stage]
    got = [
        round(float(getattr(getattr(b, "drop_path", None), "drop_prob", 0.0)), 4) for b in blocks
    ]
    want = [round(0.2 * k / len(blocks), 4) for k in range(len(blocks))]
    assert got == want, (
        f"block k of {len(blocks)} should get drop_path_rate * k / {len(blocks)}: want {want}, "
        f"got {got}"
    )


# -- judged against the reference (train and eval mode, values and gradients) ------------------
@pytest.mark.clause("round-nearest", "round-min", "round-guard", "round-int")
@given(
    channels=st.integers(1, 2000),
    width_mult=st.sampled_from([1.0, 1.1, 1.2, 1.4, 1.6, 1.8, 2.0, 0.25, 0.5, 0.1, 3.7])
    | st.floats(0.01, 4.0),
    divisor=st.sampled_from([8, 8, 1, 4, 16, 3]),
)
@example(channels=52, width_mult=1.0, divisor=8)  # 6.5 multiples: halves go up
@example(channels=16, width_mult=1.2, divisor=8)  # the 10% guard
@example(channels=1, width_mult=0.1, divisor=8)  # never below the divisor
def test_round_filters_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, channels: int, width_mult: float, divisor: int
) -> None:
    diff.assert_same(
        impl.round_filters, reference.round_filters, channels, width_mult, divisor=divisor
    )


@pytest.mark.clause("repeats-ceil")
@given(
    repeats=st.integers(1, 12),
    depth_mult=st.sampled_from([1.0, 1.1, 1.2, 1.4, 1.8, 2.2, 2.6, 3.1, 0.5]) | st.floats(0.1, 4),
)
def test_round_repeats_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, repeats: int, depth_mult: float
) -> None:
    diff.assert_same(impl.round_repeats, reference.round_repeats, repeats, depth_mult)


def _drop_path_run(module: ModuleType, x: torch.Tensor, p: float, training: bool) -> tuple:
    x = x.clone().requires_grad_(True)
    torch.manual_seed(11)
    out = module.drop_path(x, p, training)
    out.sum().backward()
    return out.detach().numpy(), str(out.dtype), x.grad.numpy()


@pytest.mark.clause(
    "per-sample", "rescale", "global-rng", "drop-all", "identity", "dp-shape"
)  # fmt: skip
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
@pytest.mark.parametrize(
    "shape", [(16, 3, 4, 5), (9, 7), (12,), (6, 2, 3)], ids=lambda s: "x".join(map(str, s))
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_drop_path_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, shape: tuple, p: float, training: bool,
    dtype: torch.dtype,
) -> None:  # fmt: skip
    x = torch.randn(shape, generator=torch.Generator().manual_seed(2), dtype=dtype) + 0.5
    eps = float(torch.finfo(dtype).eps)
    # x * (mask / keep) and x * mask / keep differ by an ulp or two
    diff.assert_same(
        lambda: _drop_path_run(impl, x, p, training),
        lambda: _drop_path_run(reference, x, p, training),
        rtol=4 * eps, atol=4 * eps,
    )  # fmt: skip


def _bn_randomize(net: nn.Module) -> nn.Module:
    g = torch.Generator().manual_seed(9)
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if t.is_floating_point():
                noise = 0.1 * torch.randn(t.shape, generator=g)
                t.copy_(t.abs() + 0.5 + noise.abs() if "running_var" in name else t + noise)
    return net


def _module_run(build: Callable, reference: ModuleType, x: torch.Tensor, train: bool) -> Callable:
    def run(module: ModuleType) -> tuple:
        torch.manual_seed(0)
        net = build(module)
        torch.manual_seed(0)
        net.load_state_dict(_bn_randomize(build(reference)).state_dict(), strict=True)
        net.train(train)
        inp = x.clone().requires_grad_(True)
        torch.manual_seed(123)  # the same dropout / drop-path draws for both
        out = net(inp)
        weight = torch.linspace(-1, 1, out.numel()).reshape(out.shape)
        (out * weight).sum().backward()
        grads = {n: p.grad.numpy() for n, p in net.named_parameters() if p.grad is not None}
        state = {k: v.numpy() for k, v in net.state_dict().items()}  # BN statistics move alike
        return out.detach().numpy(), inp.grad.numpy(), grads, state

    return run


EFF_MODULES: dict[str, tuple[Callable[[ModuleType], nn.Module], tuple[int, ...]]] = {
    "se": (lambda m: m.SqueezeExcite(6, 2), (3, 6, 5, 4)),
    "ds_residual_droppath": (lambda m: m.DepthwiseSeparable(8, 8, 3, 1, 0.25, 0.5), (6, 8, 7, 5)),
    "ds_s2_k5": (lambda m: m.DepthwiseSeparable(8, 12, 5, 2, 0.25, 0.3), (4, 8, 9, 6)),
    "ds_tiny_se": (lambda m: m.DepthwiseSeparable(2, 2, 3, 1), (3, 2, 5, 5)),
    "mbconv_residual_droppath": (lambda m: m.MBConv(8, 8, 5, 1, 4.0, 0.25, 0.5), (6, 8, 6, 7)),
    "mbconv_s2": (lambda m: m.MBConv(8, 16, 3, 2, 6.0, 0.5, 0.3), (4, 8, 9, 8)),
    "mbconv_ratio3": (lambda m: m.MBConv(6, 6, 3, 1, 3.0, 0.25, 0.0), (3, 6, 5, 6)),
    "b0_tiny_grey": (lambda m: m.EfficientNet(0.25, 0.25, 3, 0.3, 0.5, in_chans=1), (4, 1, 40, 32)),
    "b1_rgba": (lambda m: m.efficientnet_b1(num_classes=4, in_chans=4), (2, 4, 32, 48)),
    "b3": (lambda m: m.efficientnet_b3(num_classes=3, drop_rate=0.5), (2, 3, 32, 32)),
}


@pytest.mark.clause(
    "train-mode", "convs", "se", "se-width", "se-min", "ds-modules", "ds-residual",
    "mb-modules", "mb-residual", "stages", "drop-path-rates", "features", "head", "variants",
    "variant-args", "variant-dropout", "timm-names",
)  # fmt: skip
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name", sorted(EFF_MODULES))
def test_modules_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, train: bool
) -> None:
    build, shape = EFF_MODULES[name]
    x = torch.randn(shape, generator=torch.Generator().manual_seed(3))
    run = _module_run(build, reference, x, train)
    # float32 convolutions and BatchNorm over a few hundred terms, summed in another order by a
    # correct answer: ~1e-5 relative; batch statistics of tiny batches amplify it a little
    diff.assert_same(lambda: run(impl), lambda: run(reference), rtol=1e-3, atol=1e-4)


@pytest.mark.clause("attrs", "variant-dropout", "drop-path-rates")
@pytest.mark.parametrize("variant", ["b0", "b1", "b2", "b3"])
def test_attributes_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, variant: str
) -> None:
    def attrs(module: ModuleType) -> tuple:
        net = getattr(module, f"efficientnet_{variant}")(num_classes=7, drop_path_rate=0.4)
        rates = [
            float(getattr(b.drop_path, "drop_prob", 0.0)) for stage in net.blocks for b in stage
        ]
        return net.num_classes, net.drop_rate, net.num_features, np.array(rates)

    diff.assert_same(lambda: attrs(impl), lambda: attrs(reference), rtol=1e-12)
