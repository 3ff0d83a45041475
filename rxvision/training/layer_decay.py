"""Layer-wise learning-rate decay (LLRD) parameter groups for fine-tuning a ViT.

BEiT (https://arxiv.org/abs/2106.08254, section 2.6 and appendix) and MAE fine-tune a pretrained
ViT with a learning rate that shrinks geometrically from the head towards the input: the head
learns at the base rate, block ``i`` at ``decay ** (depth + 1 - (i + 1))`` times it, and the
patch/position embeddings at ``decay ** (depth + 1)``. Low layers hold generic features that the
new task should barely move. One-dimensional parameters (biases, LayerNorm affines) and the
class/position tokens get no weight decay.

Layer ids follow timm's ``param_groups_layer_decay`` on its ViTs (``group_matcher``):
``cls_token``, ``pos_embed`` and ``patch_embed.*`` are 0, ``blocks.i.*`` is ``i + 1``, the final
``norm`` shares the last block's id ``depth``, and everything else (the head) is ``depth + 1``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from torch import nn

__all__ = ["layer_decay_param_groups", "layer_id"]

NO_WEIGHT_DECAY = ("cls_token", "pos_embed")


def layer_id(name: str, depth: int) -> int:
    """Layer id of parameter ``name`` in a ViT with ``depth`` blocks (0 = embeddings)."""
    if name.startswith(("cls_token", "pos_embed", "patch_embed")):
        return 0
    if name.startswith("blocks."):
        return int(name.split(".")[1]) + 1
    if name.startswith("norm."):
        return depth
    return depth + 1


def layer_decay_param_groups(
    model: nn.Module,
    lr: float,
    weight_decay: float = 0.05,
    layer_decay: float = 0.75,
    no_weight_decay: Collection[str] = NO_WEIGHT_DECAY,
) -> list[dict[str, Any]]:
    """Optimizer parameter groups with layer-wise learning-rate decay.

    One group per (layer id, decay or not), each ``{"params", "param_names", "lr", "lr_scale",
    "weight_decay"}`` with ``lr_scale = layer_decay ** (depth + 1 - layer_id)``; parameters
    with ``ndim <= 1`` or named in ``no_weight_decay`` get ``weight_decay = 0``. Frozen
    parameters (``requires_grad=False``) are left out. ``model.blocks`` gives the depth.
    """
    depth = len(model.blocks)
    groups: dict[tuple[int, bool], dict[str, Any]] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        layer = layer_id(name, depth)
        no_decay = param.ndim <= 1 or name in no_weight_decay
        scale = layer_decay ** (depth + 1 - layer)
        group = groups.setdefault(
            (layer, no_decay),
            {
                "params": [],
                "param_names": [],
                "lr": lr * scale,
                "lr_scale": scale,
                "weight_decay": 0.0 if no_decay else weight_decay,
            },
        )
        group["params"].append(param)
        group["param_names"].append(name)
    return list(groups.values())
