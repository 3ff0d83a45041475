"""Bug: the class token is resampled with the grid (1-D interpolation over all tokens)."""

from collections.abc import Sequence

import torch.nn.functional as F
from torch import Tensor

from solutions.week1.pos_embed_resize import *  # noqa: F403
from solutions.week1.pos_embed_resize import __all__  # noqa: F401


def resample_pos_embed(
    pos_embed: Tensor,
    new_size: Sequence[int],
    old_size: Sequence[int] | None = None,
    num_prefix_tokens: int = 1,
) -> Tensor:
    """Interpolates all tokens, prefix included, along the sequence."""
    new_h, new_w = new_size
    if old_size is not None and tuple(old_size) == (new_h, new_w):
        return pos_embed
    seq = pos_embed.transpose(1, 2)  # (1, D, tokens)
    seq = F.interpolate(seq, size=num_prefix_tokens + new_h * new_w, mode="linear")
    return seq.transpose(1, 2)
