"""Vision Transformer from scratch: patch embedding, attention, MLP, blocks, the model.

Paper: "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale", Dosovitskiy
et al., ICLR 2021, https://arxiv.org/abs/2010.11929 (read section 3.1 and equations 1-4).

You write, in this order (the tests follow the same order):

1. ``PatchEmbed``: cut the image into patches and project each one to a token;
2. ``Attention``: multi-head self-attention with one fused ``qkv`` projection;
3. ``Mlp``: the two-layer feed-forward network with GELU;
4. ``Block``: a pre-norm transformer block (attention and MLP, each with a residual);
5. ``VisionTransformer``: class token, position embedding, blocks, final norm, head;
6. ``vit_tiny_patch16_224``: the ViT-Ti/16 constructor.

Your parameter names must be exactly timm's, so that the grader can load the state dict of
``timm.create_model("vit_tiny_patch16_224", pretrained=False)`` into your model with
``strict=True`` and compare the outputs (to 1e-5, eval mode). [#timm-names] The names are given
in each docstring. Look at timm's model too::

    python -c "import timm; print(timm.create_model('vit_tiny_patch16_224'))"

Conventions used everywhere below: tokens are ``(B, N, D)`` (batch, tokens, width); images are
``(B, C, H, W)``; every ``nn.LayerNorm`` uses ``eps=LN_EPS`` (1e-6, timm's value); every
``nn.Linear`` has a bias. Dropout layers are identities at rate 0 but must exist in the right
places, and be applied in the order the steps below give, so that training with dropout behaves
like the grader's reference (the same masks drawn in the same order for the same seed, hence the
same outputs and gradients). [#train-mode]

Given (do not change): ``LN_EPS`` and ``_drop_path`` (stochastic depth, from torchvision).
"""

from __future__ import annotations

from typing import Any

import torch  # noqa: F401 (you will need torch.cat and torch.zeros)
from torch import Tensor, nn
from torchvision.ops import StochasticDepth

__all__ = [
    "Attention",
    "Block",
    "Mlp",
    "PatchEmbed",
    "VisionTransformer",
    "vit_tiny_patch16_224",
]

LN_EPS = 1e-6  # timm's ViT LayerNorm epsilon (PyTorch's default is 1e-5)


def _drop_path(rate: float) -> nn.Module:
    """Stochastic depth on a residual branch (per sample), or identity when ``rate == 0``."""
    return StochasticDepth(rate, mode="row") if rate > 0 else nn.Identity()


class PatchEmbed(nn.Module):
    """Image to patch tokens: ``(B, C, H, W) -> (B, (H / p) * (W / p), embed_dim)``.

    One ``nn.Conv2d`` named ``proj`` with ``kernel_size = stride = patch_size`` (and a bias)
    projects every non-overlapping ``p x p`` patch to an ``embed_dim`` vector: it is exactly a
    linear layer applied to each flattened patch. The output map ``(B, D, H/p, W/p)`` is then
    flattened to tokens in row-major order (``flatten(2)``) and transposed to ``(B, N, D)``.
    [#patch-tokens]

    Args:
        img_size: the (square) image size the model is built for.
        patch_size: side ``p`` of a patch.
        in_chans: image channels.
        embed_dim: token width ``D``.

    Attributes (set them, the model and the tests read them):
        img_size, patch_size, grid_size: ``(img_size, img_size)``, ``(p, p)`` and
            ``(img_size // p, img_size // p)``.
        num_patches: ``grid_size[0] * grid_size[1]``.
        proj: the ``nn.Conv2d``. [#patch-attrs]

    Raises:
        ValueError: in ``__init__`` when ``img_size`` is not a multiple of ``patch_size``, and in
            ``forward`` when the input's height or width is not a multiple of ``patch_size``
            (a non-square input whose sides are multiples is fine). [#patch-checks]

    Example: ``PatchEmbed(32, 8, 3, 16)(torch.zeros(2, 3, 32, 32)).shape == (2, 16, 16)``.
    The grader compares your output with ``F.conv2d(x, w, b, stride=p)`` flattened the same way.
    """

    def __init__(
        self, img_size: int = 224, patch_size: int = 16, in_chans: int = 3, embed_dim: int = 768
    ) -> None:
        super().__init__()
        # TODO: check the sizes, set the attributes and self.proj.
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        # TODO: check H and W, then proj, flatten(2), transpose(1, 2).
        raise NotImplementedError


class Attention(nn.Module):
    """Multi-head self-attention: ``(B, N, D) -> (B, N, D)``.

    Parameters: ``qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)`` and ``proj = nn.Linear(dim,
    dim)``; modules ``attn_drop`` and ``proj_drop`` are ``nn.Dropout``. With ``h = num_heads``
    and ``d = dim // h`` (``head_dim``):

    1. ``qkv(x)`` has shape ``(B, N, 3 * D)``; reshape it to ``(B, N, 3, h, d)`` (this order: the
       three D-wide chunks are q, k, v, and inside each chunk head 0 comes first), permute to
       ``(3, B, h, N, d)`` and take ``q, k, v``; [#qkv-layout]
    2. scores ``q @ k.transpose(-2, -1) * d ** -0.5`` of shape ``(B, h, N, N)``; row ``i`` holds
       how much token ``i`` attends to every token; [#scores]
    3. softmax over the LAST dimension (each row sums to 1), then ``attn_drop``; [#softmax]
    4. ``attn @ v`` is ``(B, h, N, d)``; move the heads next to ``d`` (``transpose(1, 2)``) and
       merge them back to ``(B, N, D)``; then ``proj`` and ``proj_drop``. [#merge-heads]

    Args:
        dim: token width ``D``.
        num_heads: number of heads ``h``; ``dim`` must be divisible by it.
        qkv_bias: whether ``qkv`` has a bias. [#qkv-bias]
        attn_drop: dropout rate on the attention probabilities.
        proj_drop: dropout rate after ``proj``.

    Attributes: ``num_heads``, ``head_dim`` and ``scale`` (``head_dim ** -0.5``). [#attn-attrs]

    Raises:
        ValueError: ``dim`` is not divisible by ``num_heads``. [#heads-divide]

    The grader compares your output with ``torch.nn.functional.scaled_dot_product_attention``
    applied to your own ``qkv`` weights split as in step 1, followed by your ``proj``.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int = 8,
        qkv_bias: bool = True,
        attn_drop: float = 0.0,
        proj_drop: float = 0.0,
    ) -> None:
        super().__init__()
        # TODO: check divisibility; num_heads, head_dim, scale; qkv, attn_drop, proj, proj_drop.
        raise NotImplementedError

    def attention_weights(self, x: Tensor) -> Tensor:
        """The softmax attention probabilities of step 3 (no dropout): ``(B, h, N, N)``.
        [#attention-weights]

        Used to draw attention maps: row 0 of each head is what the class token looks at.
        """
        # TODO: steps 1-3 without dropout (share a helper with forward).
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        # TODO: steps 1-4.
        raise NotImplementedError


class Mlp(nn.Module):
    """Feed-forward network applied to every token: ``fc1``, exact GELU, dropout, ``fc2``, dropout.

    Modules in this order: ``fc1 = nn.Linear(in_features, hidden_features)``, ``act =
    nn.GELU()`` (the exact erf form, not ``approximate="tanh"``, and not ReLU), ``drop1``,
    ``fc2 = nn.Linear(hidden_features, out_features)``, ``drop2`` (both ``nn.Dropout(drop)``).
    [#mlp]

    Args:
        in_features: input width.
        hidden_features: hidden width; ``None`` means ``in_features``.
        out_features: output width; ``None`` means ``in_features``. [#mlp-widths]
        drop: dropout rate.
    """

    def __init__(
        self,
        in_features: int,
        hidden_features: int | None = None,
        out_features: int | None = None,
        drop: float = 0.0,
    ) -> None:
        super().__init__()
        # TODO: fc1, act, drop1, fc2, drop2.
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        # TODO
        raise NotImplementedError


class Block(nn.Module):
    """Pre-norm transformer block: ``(B, N, D) -> (B, N, D)``.

    ::

        x = x + drop_path1(attn(norm1(x)))
        x = x + drop_path2(mlp(norm2(x)))

    The LayerNorm comes BEFORE each sub-layer, inside the residual branch (pre-norm, as in ViT
    and timm), not after the addition (post-norm, the original Transformer). [#pre-norm]

    Modules: ``norm1`` and ``norm2`` (``nn.LayerNorm(dim, eps=LN_EPS)``), ``attn =
    Attention(dim, num_heads, qkv_bias, attn_drop, proj_drop)``, ``mlp = Mlp(dim, int(dim *
    mlp_ratio), drop=proj_drop)``, ``drop_path1`` and ``drop_path2`` (``_drop_path(drop_path)``).
    [#block-modules]

    Args:
        dim: token width.
        num_heads: attention heads.
        mlp_ratio: MLP hidden width as a multiple of ``dim``.
        qkv_bias: whether the ``qkv`` projection has a bias.
        proj_drop: dropout after the attention projection and inside the MLP.
        attn_drop: dropout on the attention probabilities.
        drop_path: stochastic-depth rate of both residual branches.

    The grader loads the weights of timm's ``Block`` into yours and compares the outputs.
    """

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
        # TODO: norm1, attn, drop_path1, norm2, mlp, drop_path2.
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the two pre-norm residual updates.
        raise NotImplementedError


class VisionTransformer(nn.Module):
    """ViT classifier: images ``(B, C, H, W)`` -> logits ``(B, num_classes)``.

    Parameters and modules (timm's names):

    - ``patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)``;
    - ``cls_token``: ``nn.Parameter`` of shape ``(1, 1, D)``, a learned token prepended to the
      patch tokens; its final state is what the head classifies (no mean pooling); [#cls-token]
    - ``pos_embed``: ``nn.Parameter`` of shape ``(1, 1 + N, D)`` with ``N = num_patches``: one
      learned position embedding per token, the class token's included (index 0); [#pos-embed]
    - ``pos_drop = nn.Dropout(drop_rate)``;
    - ``blocks = nn.Sequential`` of ``depth`` ``Block(embed_dim, num_heads, mlp_ratio, qkv_bias,
      drop_rate, attn_drop_rate, rate_i)`` with ``rate_i = drop_path_rate * i / max(depth - 1,
      1)`` (linear from 0 to ``drop_path_rate``); [#drop-path-rates]
    - ``norm = nn.LayerNorm(embed_dim, eps=LN_EPS)``: the final norm, applied to ALL tokens;
      [#final-norm]
    - ``head_drop = nn.Dropout(drop_rate)``;
    - ``head = nn.Linear(embed_dim, num_classes)``, or ``nn.Identity()`` when ``num_classes ==
      0``. [#no-head]

    Attributes: ``num_classes``, ``embed_dim`` and ``num_features`` (both ``embed_dim``),
    ``num_prefix_tokens = 1``. [#vit-attrs]

    Initialise like timm (the grader does not compare initial values, but training does better):
    ``trunc_normal_(pos_embed, std=0.02)``, ``normal_(cls_token, std=1e-6)``, every Linear weight
    ``trunc_normal_(std=0.02)`` and bias zero.

    Args:
        img_size, patch_size, in_chans: as for :class:`PatchEmbed`.
        num_classes: classifier outputs (0: no head, ``forward`` returns features).
        embed_dim, depth, num_heads, mlp_ratio, qkv_bias: the transformer's shape.
        drop_rate, attn_drop_rate, drop_path_rate: regularisation (all 0 by default).
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
        # TODO: build the modules and parameters listed above, then initialise them.
        raise NotImplementedError

    def forward_features(self, x: Tensor) -> Tensor:
        """Images ``(B, C, H, W)`` -> normalised tokens ``(B, 1 + N, D)``, class token first.

        ``patch_embed``; prepend ``cls_token`` (expanded to the batch) with ``torch.cat`` along
        the token dimension; add ``pos_embed`` (to all ``1 + N`` tokens); ``pos_drop``;
        ``blocks``; ``norm``. [#features]

        Raises:
            ValueError: the image gives a number of patches that ``pos_embed`` does not cover
                (another image size than the model was built for); say so in the message.
                [#size-check]
        """
        # TODO
        raise NotImplementedError

    def forward_head(self, x: Tensor, pre_logits: bool = False) -> Tensor:
        """Tokens ``(B, 1 + N, D)`` -> logits ``(B, num_classes)``, from the class token only.

        Take token 0, apply ``head_drop``, then ``head``; [#head] with ``pre_logits=True`` return
        the class-token features ``(B, D)`` (after ``head_drop``) without the head. [#pre-logits]
        """
        # TODO
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        # TODO: forward_head(forward_features(x)).
        raise NotImplementedError


def vit_tiny_patch16_224(
    num_classes: int = 1000, img_size: int = 224, **kwargs: Any
) -> VisionTransformer:
    """ViT-Ti/16: ``patch_size=16, embed_dim=192, depth=12, num_heads=3`` (5,717,416 parameters
    with 1000 classes, like timm's). [#tiny]

    Keyword arguments override those defaults, like ``timm.create_model`` does, e.g.
    ``vit_tiny_patch16_224(num_classes=26, img_size=32, patch_size=8, depth=2)`` is a small
    model for fast experiments. [#tiny-kwargs]
    """
    # TODO: merge the defaults with kwargs and build the VisionTransformer.
    raise NotImplementedError
