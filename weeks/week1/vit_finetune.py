"""Fine-tuning a transformer: layer-wise learning-rate decay (LLRD) for a ViT.

When a pretrained ViT is fine-tuned on a new task (BEiT, https://arxiv.org/abs/2106.08254,
section 2.6; MAE, https://arxiv.org/abs/2111.06377, appendix A.1), the layers near the input
hold generic features that should barely move, while the new head must learn fast. LLRD gives
each layer its own learning rate, shrinking geometrically from the head towards the input:

    lr_scale(layer) = layer_decay ** (depth + 1 - layer)

so the head (layer ``depth + 1``) learns at the base rate, the last block at ``layer_decay``
times it, and the embeddings (layer 0) at ``layer_decay ** (depth + 1)``. At the same time,
biases, LayerNorm weights and the class/position tokens get no weight decay (decaying them
towards zero only hurts).

You write, in this order:

1. ``layer_id``: which layer a parameter belongs to, from its name;
2. ``layer_decay_param_groups``: the optimizer parameter groups.

The grader compares the learning-rate scale and weight decay you give EVERY parameter with
timm's ``timm.optim.param_groups_layer_decay`` on timm's ViT (same parameter names as your
``week1.vit``), and runs one AdamW step to check the updates follow the scales.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from torch import nn

__all__ = ["layer_decay_param_groups", "layer_id"]

NO_WEIGHT_DECAY = ("cls_token", "pos_embed")


def layer_id(name: str, depth: int) -> int:
    """Layer id of the parameter ``name`` in a ViT with ``depth`` blocks.

    The rules (timm's, for its ViTs):

    - ``cls_token``, ``pos_embed`` and ``patch_embed.*``: 0 (the embeddings); [#embeddings]
    - ``blocks.{i}.*``: ``i + 1``; [#blocks]
    - the final ``norm.*``: ``depth`` (timm groups it with the last block); [#final-norm]
    - anything else (``head.*``): ``depth + 1``. [#head]

    Examples with ``depth=12``: ``layer_id("pos_embed", 12) == 0``,
    ``layer_id("blocks.0.attn.qkv.weight", 12) == 1``, ``layer_id("norm.bias", 12) == 12``,
    ``layer_id("head.weight", 12) == 13``.
    """
    # TODO: the four rules above (str.startswith, then int(name.split(".")[1])).
    raise NotImplementedError


def layer_decay_param_groups(
    model: nn.Module,
    lr: float,
    weight_decay: float = 0.05,
    layer_decay: float = 0.75,
    no_weight_decay: Collection[str] = NO_WEIGHT_DECAY,
) -> list[dict[str, Any]]:
    """Optimizer parameter groups with layer-wise learning-rate decay.

    ``depth = len(model.blocks)``. [#depth] For every trainable parameter (skip
    ``requires_grad=False``) of ``model.named_parameters()``: [#frozen]

    - ``layer = layer_id(name, depth)`` and ``lr_scale = layer_decay ** (depth + 1 - layer)``;
      [#lr-scale]
    - no weight decay when ``param.ndim <= 1`` (biases, LayerNorm weights) or ``name`` is in
      ``no_weight_decay``; otherwise ``weight_decay``. [#weight-decay]

    Group the parameters by ``(layer, no weight decay)``; [#grouping] each group is a dict
    [#group-dict]::

        {"params": [...], "param_names": [...], "lr": lr * lr_scale, "lr_scale": lr_scale,
         "weight_decay": 0.0 or weight_decay}

    ``torch.optim.AdamW(groups, lr=lr)`` then uses each group's own ``lr`` and
    ``weight_decay``. [#adamw-step]

    Args:
        model: a ViT with timm's parameter names (yours from ``week1.vit``, or timm's).
        lr: the base learning rate (the head's).
        weight_decay: weight decay of the matrices.
        layer_decay: the per-layer factor, in ``(0, 1]`` (1 means no decay).
        no_weight_decay: names of parameters that never get weight decay.

    Returns:
        The list of groups; every trainable parameter is in exactly one group. [#one-group]
    """
    # TODO: loop over named_parameters, build the groups in a dict keyed by (layer, no_decay).
    raise NotImplementedError
