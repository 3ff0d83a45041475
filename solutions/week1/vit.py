"""Reference solution of ``week1.vit``: the reference system's Vision Transformer."""

from rxvision.models.vit import (
    Attention,
    Block,
    Mlp,
    PatchEmbed,
    VisionTransformer,
    vit_tiny_patch16_224,
)

__all__ = [
    "Attention",
    "Block",
    "Mlp",
    "PatchEmbed",
    "VisionTransformer",
    "vit_tiny_patch16_224",
]
