"""Reference solution of ``week1.vit_finetune``: the reference system's LLRD parameter groups."""

from rxvision.training.layer_decay import layer_decay_param_groups, layer_id

__all__ = ["layer_decay_param_groups", "layer_id"]
