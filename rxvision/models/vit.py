"""Vision Transformer (ViT), written from scratch in PyTorch.

Paper: "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale", Alexey
Dosovitskiy et al., ICLR 2021, https://arxiv.org/abs/2010.11929

The image is cut into non-overlapping ``patch_size x patch_size`` patches, each projected to an
``embed_dim`` vector (a strided convolution); a learned class token is prepended, learned absolute
position embeddings are added, and a stack of pre-norm transformer blocks (multi-head
self-attention, then an MLP, each with a residual) mixes the tokens. The class token's final
state, after a last LayerNorm, goes to the linear head.

Parameter names follow timm's ``vit_*`` models, so the state dict of
``timm.create_model("vit_tiny_patch16_224")`` loads with ``strict=True`` and the outputs match
timm's in eval mode:

    cls_token, pos_embed, patch_embed.proj,
    blocks.{i}.(norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2),
    norm, head
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchvision.ops import StochasticDepth

__all__ = [
    "Attention",
    "Block",
    "Mlp",
    "PatchEmbed",
    "VisionTransformer",
    "load_resized_state_dict",
    "resample_pos_embed",
    "vit_tiny_patch16_224",
]

LN_EPS = 1e-6  # timm's ViT LayerNorm epsilon (PyTorch's default is 1e-5)


class PatchEmbed(nn.Module):
    """Image to patch tokens: ``(B, C, H, W) -> (B, (H / p) * (W / p), embed_dim)``."""

    def __init__(
        self, img_size: int = 224, patch_size: int = 16, in_chans: int = 3, embed_dim: int = 768
    ) -> None:
        super().__init__()
        if img_size % patch_size:
            raise ValueError(f"img_size {img_size} is not a multiple of patch_size {patch_size}")
        self.img_size = (img_size, img_size)
        self.patch_size = (patch_size, patch_size)
        self.grid_size = (img_size // patch_size, img_size // patch_size)
        self.num_patches = self.grid_size[0] * self.grid_size[1]
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: Tensor) -> Tensor:
        height, width = x.shape[-2:]
        p = self.patch_size[0]
        if height % p or width % p:
            raise ValueError(f"input size {height}x{width} is not a multiple of the patch size {p}")
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    """Multi-head self-attention with one fused ``qkv`` projection."""

    def __init__(
        self,
        dim: int,
        num_heads: int = 8,
        qkv_bias: bool = True,
        attn_drop: float = 0.0,
        proj_drop: float = 0.0,
    ) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"dim {dim} is not divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim**-0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def attention_weights(self, x: Tensor) -> Tensor:
        """Softmax attention probabilities ``(B, heads, N, N)``; each row sums to 1."""
        q, k, _ = self._qkv(x)
        return (q * self.scale @ k.transpose(-2, -1)).softmax(dim=-1)

    def _qkv(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        batch, tokens, dim = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B, heads, N, head_dim)
        return q, k, v

    def forward(self, x: Tensor) -> Tensor:
        batch, tokens, dim = x.shape
        q, k, v = self._qkv(x)
        attn = (q * self.scale) @ k.transpose(-2, -1)  # (B, heads, N, N)
        attn = self.attn_drop(attn.softmax(dim=-1))
        x = (attn @ v).transpose(1, 2).reshape(batch, tokens, dim)
        return self.proj_drop(self.proj(x))


class Mlp(nn.Module):
    """Two linear layers with an exact GELU between them."""

    def __init__(
        self,
        in_features: int,
        hidden_features: int | None = None,
        out_features: int | None = None,
        drop: float = 0.0,
    ) -> None:
        super().__init__()
        hidden_features = hidden_features or in_features
        out_features = out_features or in_features
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.drop1 = nn.Dropout(drop)
        self.fc2 = nn.Linear(hidden_features, out_features)
        self.drop2 = nn.Dropout(drop)

    def forward(self, x: Tensor) -> Tensor:
        return self.drop2(self.fc2(self.drop1(self.act(self.fc1(x)))))


class Block(nn.Module):
    """Pre-norm transformer block: ``x + attn(norm1(x))``, then ``x + mlp(norm2(x))``."""

    def __init__(
        self,
        dim: int,
        num_heads: int,
        mlp_ratio: float = 4.0,
        qkv_bias: bool = True,
        proj_drop: float = 0.0,
        attn_drop: float = 0.0,
        drop_path: float = 0.0,
    ) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.attn = Attention(dim, num_heads, qkv_bias, attn_drop, proj_drop)
        self.drop_path1 = _drop_path(drop_path)
        self.norm2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), drop=proj_drop)
        self.drop_path2 = _drop_path(drop_path)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.drop_path1(self.attn(self.norm1(x)))
        return x + self.drop_path2(self.mlp(self.norm2(x)))


def _drop_path(rate: float) -> nn.Module:
    """Stochastic depth on a residual branch (per sample), or identity when ``rate == 0``."""
    return StochasticDepth(rate, mode="row") if rate > 0 else nn.Identity()


class VisionTransformer(nn.Module):
    """ViT classifier: patch embedding, class token, position embedding, blocks, norm, head.

    Attributes:
        num_classes: outputs of ``head`` (0: ``head`` is the identity, features come out).
        num_features / embed_dim: the token width.
        num_prefix_tokens: 1 (the class token).
    """

    def __init__(
        self,
        img_size: int = 224,
        patch_size: int = 16,
        in_chans: int = 3,
        num_classes: int = 1000,
        embed_dim: int = 768,
        depth: int = 12,
        num_heads: int = 12,
        mlp_ratio: float = 4.0,
        qkv_bias: bool = True,
        drop_rate: float = 0.0,
        attn_drop_rate: float = 0.0,
        drop_path_rate: float = 0.0,
    ) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.num_features = self.embed_dim = embed_dim
        self.num_prefix_tokens = 1
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim))
        self.pos_drop = nn.Dropout(drop_rate)
        rates = [drop_path_rate * i / max(depth - 1, 1) for i in range(depth)]
        self.blocks = nn.Sequential(
            *(
                Block(embed_dim, num_heads, mlp_ratio, qkv_bias, drop_rate, attn_drop_rate, r)
                for r in rates
            )
        )
        self.norm = nn.LayerNorm(embed_dim, eps=LN_EPS)
        self.head_drop = nn.Dropout(drop_rate)
        self.head = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()
        self._init_weights()

    def _init_weights(self) -> None:
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.normal_(self.cls_token, std=1e-6)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:  # qkv_bias=False
                    nn.init.zeros_(module.bias)

    def forward_features(self, x: Tensor) -> Tensor:
        """Images ``(B, C, H, W)`` -> normalised tokens ``(B, 1 + N, D)``, class token first."""
        x = self.patch_embed(x)
        if x.shape[1] + 1 != self.pos_embed.shape[1]:
            raise ValueError(
                f"the input gives {x.shape[1]} patches but pos_embed covers "
                f"{self.pos_embed.shape[1] - 1}: build the model for this image size or resample "
                "pos_embed (week1.pos_embed_resize)"
            )
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        x = self.blocks(self.pos_drop(x))
        return self.norm(x)

    def forward_head(self, x: Tensor, pre_logits: bool = False) -> Tensor:
        """Tokens ``(B, 1 + N, D)`` -> logits ``(B, num_classes)`` from the class token.

        With ``pre_logits=True`` return the class token's features ``(B, D)`` instead.
        """
        x = self.head_drop(x[:, 0])
        return x if pre_logits else self.head(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_head(self.forward_features(x))


def vit_tiny_patch16_224(
    num_classes: int = 1000, img_size: int = 224, **kwargs: Any
) -> VisionTransformer:
    """ViT-Ti/16 (5.7 M parameters with 1000 classes): width 192, 12 blocks, 3 heads.

    Keyword arguments override the architecture, like timm's ``create_model`` does, e.g.
    ``vit_tiny_patch16_224(num_classes=26, img_size=32, patch_size=8, depth=2)``.
    """
    config: dict[str, Any] = {"patch_size": 16, "embed_dim": 192, "depth": 12, "num_heads": 3}
    config.update(kwargs)
    return VisionTransformer(img_size=img_size, num_classes=num_classes, **config)


# -- position embeddings at another image size -------------------------------------------------
def resample_pos_embed(
    pos_embed: Tensor,
    new_size: Sequence[int],
    old_size: Sequence[int] | None = None,
    num_prefix_tokens: int = 1,
) -> Tensor:
    """Resample absolute position embeddings ``(1, P + H*W, D)`` to a ``new_size`` grid.

    The ``P = num_prefix_tokens`` leading embeddings (the class token's) are kept as they are;
    the ``H x W`` grid (``old_size``, square when ``None``) is resized bicubically with
    antialiasing and ``align_corners=False``, like timm's ``resample_abs_pos_embed``. The input
    is returned unchanged when the grid already has the new size.
    """
    new_h, new_w = new_size
    tokens, dim = pos_embed.shape[1], pos_embed.shape[2]
    if old_size is None:
        side = math.isqrt(tokens - num_prefix_tokens)
        old_size = (side, side)
    old_h, old_w = old_size
    if old_h * old_w + num_prefix_tokens != tokens:
        raise ValueError(
            f"pos_embed has {tokens} tokens, not {num_prefix_tokens} prefix + {old_h}x{old_w}"
        )
    if (old_h, old_w) == (new_h, new_w):
        return pos_embed
    prefix, grid = pos_embed[:, :num_prefix_tokens], pos_embed[:, num_prefix_tokens:]
    grid = grid.float().reshape(1, old_h, old_w, dim).permute(0, 3, 1, 2)
    grid = F.interpolate(
        grid, size=(new_h, new_w), mode="bicubic", antialias=True, align_corners=False
    )
    grid = grid.permute(0, 2, 3, 1).reshape(1, new_h * new_w, dim).to(pos_embed.dtype)
    return torch.cat([prefix, grid], dim=1)


def load_resized_state_dict(model: nn.Module, state_dict: Mapping[str, Tensor]) -> nn.Module:
    """Load a ViT ``state_dict`` saved at another image size into ``model`` (strictly).

    ``pos_embed`` is resampled to ``model.patch_embed.grid_size`` (the saved grid is assumed
    square); every other tensor must fit as it is. ``state_dict`` itself is not modified.
    """
    state = dict(state_dict)
    if "pos_embed" in state:
        state["pos_embed"] = resample_pos_embed(
            state["pos_embed"],
            tuple(model.patch_embed.grid_size),
            num_prefix_tokens=getattr(model, "num_prefix_tokens", 1),
        )
    model.load_state_dict(state, strict=True)
    return model
