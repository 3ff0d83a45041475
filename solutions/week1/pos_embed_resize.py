"""Reference solution of ``week1.pos_embed_resize``: the reference system's ViT helpers."""

from rxvision.models.vit import load_resized_state_dict, resample_pos_embed

__all__ = ["load_resized_state_dict", "resample_pos_embed"]
