"""Resample a ViT's position embeddings so a model trained at one image size runs at another.

A ViT learns one absolute position embedding per patch of its training grid: at 224 px with
16 px patches that is a 14 x 14 grid (plus the class token's), ``pos_embed`` of shape
``(1, 1 + 196, D)``. At 160 px the image gives a 10 x 10 grid, so the embeddings no longer fit.
Because neighbouring embeddings are similar (they encode a smooth 2-D position), we can treat the
grid as a small ``D``-channel image and resize it, exactly like timm's
``timm.layers.resample_abs_pos_embed`` does (section 3.2 of the ViT paper, "Fine-tuning and
higher resolution": https://arxiv.org/abs/2010.11929). Progressive resizing (training at small
sizes first) needs this.

You write, in this order:

1. ``resample_pos_embed``: the resampling itself;
2. ``load_resized_state_dict``: load a checkpoint saved at another image size into a model.

The grader compares both with timm (``resample_abs_pos_embed`` and timm's own checkpoint
filter), on square and non-square grids, enlarging and shrinking.
"""

from __future__ import annotations

import math  # noqa: F401 (math.isqrt)
from collections.abc import Mapping, Sequence

import torch  # noqa: F401 (you will need torch.cat)
import torch.nn.functional as F  # noqa: F401 (you will need F.interpolate)
from torch import Tensor, nn

__all__ = ["load_resized_state_dict", "resample_pos_embed"]


def resample_pos_embed(
    pos_embed: Tensor,
    new_size: Sequence[int],
    old_size: Sequence[int] | None = None,
    num_prefix_tokens: int = 1,
) -> Tensor:
    """Resample absolute position embeddings ``(1, P + H*W, D)`` to a ``new_size`` grid.

    Steps:

    1. split off the ``P = num_prefix_tokens`` leading embeddings (the class token's): they are
       not positions on the grid and are returned UNCHANGED, in front; [#prefix-kept]
    2. reshape the remaining ``H*W`` embeddings, stored row by row, to ``(1, H, W, D)`` with
       ``(H, W) = old_size`` (rows first!), and permute to ``(1, D, H, W)`` so that
       ``F.interpolate`` treats ``D`` as channels; [#rows-first]
    3. ``F.interpolate(..., size=new_size, mode="bicubic", antialias=True,
       align_corners=False)`` (timm's defaults; antialiasing matters when shrinking), [#bicubic]
       in float32 (also for float16, bfloat16 and float64 inputs); [#float32]
    4. permute and reshape back to ``(1, H'*W', D)``, cast to the input dtype, [#dtype] and
       concatenate the prefix in front.

    ``pos_embed`` itself is never modified. [#input-unchanged]

    Args:
        pos_embed: ``(1, P + H*W, D)`` embeddings.
        new_size: ``(H', W')`` of the new grid, e.g. ``(img_size // patch_size,) * 2``.
        old_size: ``(H, W)`` of the current grid; ``None`` means square,
            ``H = W = isqrt(tokens - P)``. [#square-default]
        num_prefix_tokens: ``P``, the leading tokens that are not on the grid (1: class token;
            0 and more than 1 are allowed). [#prefix-count]

    Returns:
        ``(1, P + H'*W', D)`` embeddings; [#shape] the input tensor itself when the grid already
        has the new size. [#identity]

    Raises:
        ValueError: ``pos_embed`` does not hold ``P + H*W`` tokens (with ``old_size=None``: when
            ``tokens - P`` is not a perfect square). [#token-count]
    """
    # TODO: the four steps above (identity case first).
    raise NotImplementedError


def load_resized_state_dict(model: nn.Module, state_dict: Mapping[str, Tensor]) -> nn.Module:
    """Load a ViT ``state_dict`` saved at another image size into ``model``, strictly.

    ``state_dict["pos_embed"]`` (its grid is square) is resampled with
    :func:`resample_pos_embed` to ``model.patch_embed.grid_size`` [#resample-on-load] with
    ``model.num_prefix_tokens`` prefix tokens (1 if the model has no such attribute);
    [#load-prefix] every other tensor is loaded as it is with ``model.load_state_dict(...,
    strict=True)``: a missing or unexpected key raises ``RuntimeError``. [#strict] Works for
    your ``week1.vit`` model and for timm's ViTs (same names). [#both-models]

    Do NOT modify the caller's ``state_dict``: copy the mapping first (``dict(state_dict)``).
    [#sd-unchanged]

    Example: ``load_resized_state_dict(vit_at_160, vit_at_224.state_dict())``.

    Returns:
        ``model``, loaded. [#returns-model]
    """
    # TODO: copy, resample pos_embed, load strictly.
    raise NotImplementedError
