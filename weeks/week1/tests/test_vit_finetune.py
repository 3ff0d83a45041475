"""Tests of week1.vit_finetune: layer-wise learning-rate decay parameter groups.

Oracle: ``timm.optim.param_groups_layer_decay`` on timm's ``vit_tiny_patch16_224`` (small
config, random init): for every parameter name, your learning-rate scale and weight decay must
equal timm's. Run: ``pytest weeks/week1/tests/test_vit_finetune.py``.
"""

from __future__ import annotations

from types import ModuleType

import pytest
import timm
import torch
from timm.optim import param_groups_layer_decay
from torch import nn

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
