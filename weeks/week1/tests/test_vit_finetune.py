"""Tests of week1.vit_finetune: layer-wise learning-rate decay parameter groups.

Oracles: ``timm.optim.param_groups_layer_decay`` on timm's ``vit_tiny_patch16_224`` (small
config, random init): for every parameter name, your learning-rate scale and weight decay must
equal timm's; and the reference solution (the ``reference`` fixture), on parameter names and on
small ViT-shaped modules of every depth drawn by Hypothesis, with frozen parameters, other
``no_weight_decay`` lists and ``layer_decay = 1``. Run:
``pytest weeks/week1/tests/test_vit_finetune.py``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
import timm
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from timm.optim import param_groups_layer_decay
from torch import nn

from grader import differential as diff

DEPTH = 3


@pytest.fixture(scope="module")
def vit() -> nn.Module:
    torch.manual_seed(0)
    return timm.create_model(
        "vit_tiny_patch16_224",
        pretrained=False,
        num_classes=5,
        img_size=32,
        patch_size=8,
        depth=DEPTH,
    )


def _per_param(model: nn.Module, groups: list[dict]) -> dict[str, tuple[float, float]]:
    """name -> (lr scale, weight decay), for every parameter in the groups."""
    names = {id(p): n for n, p in model.named_parameters()}
    out: dict[str, tuple[float, float]] = {}
    for group in groups:
        for p in group["params"]:
            name = names[id(p)]
            assert name not in out, f"parameter {name!r} is in more than one group"
            out[name] = (round(group["lr_scale"], 10), group["weight_decay"])
    return out


@pytest.mark.clause("embeddings", "blocks", "final-norm", "head")
@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("cls_token", 0),
        ("pos_embed", 0),
        ("patch_embed.proj.weight", 0),
        ("blocks.0.norm1.weight", 1),
        ("blocks.1.attn.qkv.bias", 2),
        ("blocks.11.mlp.fc2.weight", 12),
        ("norm.weight", 12),
        ("head.bias", 13),
    ],
)
def test_layer_id(impl: ModuleType, name: str, want: int) -> None:
    got = impl.layer_id(name, 12)
    assert got == want, (
        f"layer_id({name!r}, depth=12) should be {want} (embeddings 0, blocks.i -> i + 1, final "
        f"norm -> depth, head -> depth + 1), got {got}"
    )


@pytest.mark.clause("lr-scale", "weight-decay", "one-group", "depth")
@pytest.mark.parametrize("layer_decay", [0.5, 0.75])
def test_scales_and_weight_decay_match_timm(
    impl: ModuleType, vit: nn.Module, layer_decay: float
) -> None:
    want = _per_param(
        vit,
        param_groups_layer_decay(
            vit,
            weight_decay=0.05,
            no_weight_decay_list=("cls_token", "pos_embed"),
            layer_decay=layer_decay,
        ),
    )
    got = _per_param(vit, impl.layer_decay_param_groups(vit, 1e-3, 0.05, layer_decay))
    missing = sorted(set(want) - set(got))
    assert not missing, f"{len(missing)} parameters are in no group: {missing[:5]}"
    wrong = [
        f"{n}: yours (lr_scale {got[n][0]}, wd {got[n][1]}), timm ({want[n][0]}, {want[n][1]})"
        for n in want
        if got[n] != want[n]
    ]
    assert not wrong, (
        f"with layer_decay={layer_decay}, {len(wrong)} parameters get another learning-rate scale "
        f"or weight decay than timm's param_groups_layer_decay: {'; '.join(wrong[:4])}"
    )


@pytest.mark.clause("lr-scale", "group-dict")
def test_head_learns_at_the_base_rate(impl: ModuleType, vit: nn.Module) -> None:
    groups = impl.layer_decay_param_groups(vit, 2e-3, 0.05, 0.6)
    head = vit.head.weight
    group = next(g for g in groups if any(p is head for p in g["params"]))
    assert abs(group["lr"] - 2e-3) < 1e-12 and abs(group["lr_scale"] - 1.0) < 1e-12, (
        f"the head should get the base learning rate 2e-3 (scale 1), got lr {group['lr']} and "
        f"lr_scale {group['lr_scale']}"
    )
    for g in groups:
        assert abs(g["lr"] - 2e-3 * g["lr_scale"]) < 1e-12, (
            f"each group's lr must be base lr * lr_scale, got {g['lr']} with scale {g['lr_scale']}"
        )


@pytest.mark.clause("frozen", "one-group")
def test_frozen_parameters_are_left_out(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = timm.create_model(
        "vit_tiny_patch16_224",
        pretrained=False,
        num_classes=5,
        img_size=32,
        patch_size=8,
        depth=2,
    )
    model.patch_embed.requires_grad_(False)
    names = {id(p): n for n, p in model.named_parameters()}
    grouped = [
        names[id(p)] for g in impl.layer_decay_param_groups(model, 1e-3) for p in g["params"]
    ]
    assert not [n for n in grouped if n.startswith("patch_embed")], (
        "frozen parameters (requires_grad=False) must not be put in any group"
    )
    assert len(grouped) == sum(p.requires_grad for p in model.parameters()), (
        "every trainable parameter must be in exactly one group"
    )


@pytest.mark.clause("adamw-step")
def test_one_adamw_step_follows_the_scales(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = timm.create_model(
        "vit_tiny_patch16_224",
        pretrained=False,
        num_classes=5,
        img_size=32,
        patch_size=8,
        depth=2,
    )
    groups = impl.layer_decay_param_groups(model, 1e-2, weight_decay=0.0, layer_decay=0.5)
    optimizer = torch.optim.AdamW(groups, lr=1e-2, weight_decay=0.0)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    loss = torch.nn.functional.cross_entropy(model(x), torch.tensor([0, 1, 2, 3]))
    loss.backward()
    optimizer.step()
    # Adam's first step moves every parameter with a non-zero gradient by about lr
    moved = {n: float((p.detach() - before[n]).abs().max()) for n, p in model.named_parameters()}
    for name, want in (
        ("head.weight", 1e-2),
        ("blocks.1.mlp.fc1.weight", 5e-3),
        ("blocks.0.attn.qkv.weight", 2.5e-3),
        ("patch_embed.proj.weight", 1.25e-3),
    ):
        assert abs(moved[name] - want) < 0.05 * want, (
            f"after one AdamW step with base lr 1e-2 and layer_decay 0.5 (depth 2), {name} should "
            f"move by about {want:g} (its group's lr), it moved {moved[name]:.3g}"
        )


# -- judged against the reference ---------------------------------------------------------------
BLOCK_SUFFIXES = (
    "norm1.weight",
    "norm1.bias",
    "attn.qkv.weight",
    "attn.qkv.bias",
    "attn.proj.weight",
    "mlp.fc1.weight",
    "mlp.fc2.bias",
    "ls1.gamma",
)
OTHER_NAMES = (
    "cls_token",
    "pos_embed",
    "patch_embed.proj.weight",
    "patch_embed.proj.bias",
    "patch_embed.norm.weight",
    "norm.weight",
    "norm.bias",
    "fc_norm.weight",
    "fc_norm.bias",
    "head.weight",
    "head.bias",
    "head.fc.weight",
)


@st.composite
def _names(draw: st.DrawFn) -> tuple[str, int]:
    depth = draw(st.integers(1, 24))
    block = st.builds(
        "blocks.{}.{}".format, st.integers(0, depth - 1), st.sampled_from(BLOCK_SUFFIXES)
    )
    return draw(st.one_of(st.sampled_from(OTHER_NAMES), block)), depth


@pytest.mark.clause("embeddings", "blocks", "final-norm", "head")
@settings(max_examples=40)
@given(case=_names())
@example(case=("blocks.10.norm1.weight", 12))
@example(case=("blocks.0.attn.qkv.weight", 1))
@example(case=("norm.weight", 1))
@example(case=("fc_norm.weight", 12))
@example(case=("patch_embed.norm.weight", 12))
@example(case=("head.fc.weight", 3))
def test_layer_id_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple[str, int]
) -> None:
    name, depth = case
    diff.assert_same(impl.layer_id, reference.layer_id, name, depth)


class _Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(2)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(2, 6)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(2, 2, bias=False)


class _TinyViT(nn.Module):
    """A ViT's parameter names and shapes (timm's), nothing else: cheap to build at any depth."""

    def __init__(self, depth: int, fc_norm: bool) -> None:
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 2))
        self.pos_embed = nn.Parameter(torch.zeros(1, 5, 2))
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, 2, 2, 2)
        self.blocks = nn.Sequential(*[_Block() for _ in range(depth)])
        self.norm = nn.LayerNorm(2)
        self.fc_norm = nn.LayerNorm(2) if fc_norm else nn.Identity()
        self.head = nn.Linear(2, 3)


def _canonical(model: nn.Module, groups: Any) -> dict[tuple[str, ...], dict[str, Any]] | str:
    """Groups keyed by the sorted names of their parameters, or what is wrong with them."""
    if not isinstance(groups, list):
        return f"expected a list of group dicts, got {type(groups).__name__}"
    names = {id(p): n for n, p in model.named_parameters()}
    keys = {"params", "param_names", "lr", "lr_scale", "weight_decay"}
    out: dict[tuple[str, ...], dict[str, Any]] = {}
    for group in groups:
        if not isinstance(group, dict) or not keys <= set(group):
            return f"every group must be a dict with the keys {sorted(keys)}, got {group!r:.200}"
        own = [names.get(id(p), "?") for p in group["params"]]
        if list(group["param_names"]) != own:
            return (
                f"a group's param_names {list(group['param_names'])} are not the names of its "
                f"params {own}, in the same order"
            )
        out[tuple(sorted(own))] = {k: group[k] for k in ("lr", "lr_scale", "weight_decay")}
    return out


def _same_groups(model: nn.Module) -> Any:
    def compare(got: Any, want: Any) -> str | None:
        g, w = _canonical(model, got), _canonical(model, want)
        assert not isinstance(w, str), w
        if isinstance(g, str):
            return g
        if set(g) != set(w):
            return (
                "the parameters are grouped differently: one group per (layer id, no weight "
                f"decay), trainable parameters only; expected the groups {sorted(w)}, got "
                f"{sorted(g)}"
            )
        for key in w:
            problem = diff.same(g[key], w[key], rtol=1e-12, path=f"the group of {list(key)}")
            if problem:
                return problem
        return None

    return compare


NO_DECAY_CHOICES = (
    "cls_token",
    "pos_embed",
    "head.weight",
    "blocks.0.attn.qkv.weight",
    "norm.bias",
)


@pytest.mark.clause(
    "depth", "frozen", "lr-scale", "weight-decay", "grouping", "group-dict", "one-group"
)
@settings(max_examples=25)
@given(
    depth=st.integers(1, 5),
    fc_norm=st.booleans(),
    frozen=st.sets(st.integers(0, 40), max_size=6),
    lr=st.sampled_from([1e-3, 0.5, 3e-5]),
    weight_decay=st.sampled_from([0.05, 0.0, 0.3]),
    layer_decay=st.one_of(st.just(1.0), st.floats(0.05, 1.0)),
    no_weight_decay=st.sets(st.sampled_from(NO_DECAY_CHOICES)).map(tuple),
)
@example(
    depth=3, fc_norm=False, frozen=set(), lr=1e-3, weight_decay=0.05, layer_decay=1.0,
    no_weight_decay=("cls_token", "pos_embed"),
)  # fmt: skip
@example(
    depth=2, fc_norm=True, frozen=set(range(41)), lr=1e-3, weight_decay=0.05, layer_decay=0.7,
    no_weight_decay=("cls_token", "pos_embed"),
)  # fmt: skip
@example(
    depth=2, fc_norm=True, frozen={0, 3}, lr=0.5, weight_decay=0.3, layer_decay=0.6,
    no_weight_decay=("head.weight", "blocks.0.attn.qkv.weight"),
)  # fmt: skip
def test_param_groups_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    depth: int,
    fc_norm: bool,
    frozen: set[int],
    lr: float,
    weight_decay: float,
    layer_decay: float,
    no_weight_decay: tuple[str, ...],
) -> None:
    model = _TinyViT(depth, fc_norm)
    for i, param in enumerate(model.parameters()):
        param.requires_grad_(i not in frozen)
    args = (lr, weight_decay, layer_decay, no_weight_decay)

    def bound(module: ModuleType) -> Any:
        def call() -> Any:  # the same model for both: the groups hold its parameters
            return module.layer_decay_param_groups(model, *args)

        call.__qualname__ = (
            f"layer_decay_param_groups(<a ViT of depth {depth}>, lr={lr}, "
            f"weight_decay={weight_decay}, layer_decay={layer_decay}, "
            f"no_weight_decay={no_weight_decay})"
        )
        return call

    diff.assert_same(bound(impl), bound(reference), compare=_same_groups(model))
