"""Drill: a multi-head attention layer (hard, time box 40 minutes).

Interview prompt: "Implement multi-head attention in NumPy so that it gives exactly the same
numbers as ``torch.nn.MultiheadAttention(E, H, batch_first=True)`` with the same weights."
The grader builds a torch layer, copies its ``state_dict()`` into yours, and compares outputs and
attention weights with and without masks (float64).

``MultiHeadAttention(embed_dim, num_heads, seed=0)``

- ``embed_dim`` (E) must be divisible by ``num_heads`` (H >= 1), else ``ValueError``.
  [#divisible] ``head_dim`` D = E // H. [#head-dim]
- Parameters, named like PyTorch's: ``in_proj_weight`` ``(3E, E)`` (rows ``0:E`` project the
  query, ``E:2E`` the key, ``2E:3E`` the value), ``in_proj_bias`` ``(3E,)``, ``out_proj_weight``
  ``(E, E)``, ``out_proj_bias`` ``(E,)``. [#params] Initialise them with any random values drawn
  from ``np.random.default_rng(seed)`` (biases may be zeros): the same seed gives the same
  weights, another seed other weights. [#init-seed] The grader always loads weights.
- ``load_state_dict(state)``: ``state`` maps torch's names ``in_proj_weight``, ``in_proj_bias``,
  ``out_proj.weight``, ``out_proj.bias`` to arrays (``{k: v.numpy() for k, v in
  layer.state_dict().items()}``); copy them (float64: later changes to ``state``'s arrays do not
  reach the layer). [#load] A missing key or a wrong shape raises ``ValueError``. [#load-errors]
- ``split_heads(x)``: ``(B, T, E)`` -> ``(B, H, T, D)`` where head ``h`` gets the features
  ``h * D : (h + 1) * D`` of every token. [#split-heads] ``merge_heads`` is its inverse
  ``(B, H, T, D)`` -> ``(B, T, E)``. [#merge-heads]
- ``forward(query, key, value, key_padding_mask=None, attn_mask=None, need_weights=True,
  average_attn_weights=True)`` (also ``layer(...)``), batch first:

  1. ``q = query @ W_q.T + b_q`` (same for k, v), then split heads;
  2. per head: scaled dot-product attention with scale ``1 / sqrt(D)`` (the HEAD dim); [#scale]
  3. merge heads, then ``out @ out_proj_weight.T + out_proj_bias``. [#forward]

  Shapes: ``query`` ``(B, L, E)``, ``key`` and ``value`` ``(B, S, E)``; output ``(B, L, E)``.
  [#shapes]
  Masks use PyTorch's ``nn.MultiheadAttention`` convention, where ``True`` means BLOCKED (the
  opposite of ``F.scaled_dot_product_attention``):
  ``key_padding_mask`` ``(B, S)`` bool, True = this key is padding [#key-padding-mask];
  ``attn_mask`` bool ``(L, S)`` (shared) or ``(B * H, L, S)`` (per sample and head,
  sample-major), True = not allowed [#attn-mask]. A key blocked by either mask is blocked.
  [#masks-combine]
  Returned weights: ``None`` if ``need_weights`` is False [#need-weights]; else ``(B, L, S)``
  averaged over the heads (``average_attn_weights=True``, PyTorch's default) or ``(B, H, L, S)``
  per head. [#average-weights]
- A query whose keys are all blocked gets weights 0, so its output is ``out_proj_bias`` (PyTorch
  returns NaN there; you must not). [#fully-masked]
- Errors (``ValueError``, raised when called): bad ``embed_dim``/``num_heads``, ``query`` not
  ``(B, L, E)``, ``key`` and ``value`` of different shapes. [#shape-errors]

Example::

    >>> layer = torch.nn.MultiheadAttention(8, 2, batch_first=True).double()
    >>> mine = MultiHeadAttention(8, 2)
    >>> mine.load_state_dict({k: v.detach().numpy() for k, v in layer.state_dict().items()})
    >>> x = np.random.default_rng(0).standard_normal((1, 3, 8))
    >>> out, w = mine(x, x, x)            # == layer(t, t, t) with t = torch.from_numpy(x)
    >>> out.shape, w.shape
    ((1, 3, 8), (1, 3, 3))

Complexity: O(B * (L + S) * E^2) for the projections plus O(B * L * S * E) for attention; memory
O(B * H * L * S) for the weights (never an array of ``L * S * E`` elements). [#complexity]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention:
    """``torch.nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)`` in NumPy.

    Attributes:
        embed_dim, num_heads, head_dim: E, H and D = E // H.
        in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias: the parameters.
    """

    def __init__(self, embed_dim: int, num_heads: int, seed: int = 0) -> None:
        """Create the layer with random weights.

        Args:
            embed_dim: model width E.
            num_heads: number of heads H; must divide E.
            seed: seed of the NumPy generator used for the initial weights.

        Raises:
            ValueError: ``embed_dim`` is not divisible by ``num_heads``.
        """
        # TODO: validate, store E, H, D and create the four parameter arrays.
        raise NotImplementedError

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Copy the weights of a ``torch.nn.MultiheadAttention`` (its state dict as arrays).

        Args:
            state: ``in_proj_weight``, ``in_proj_bias``, ``out_proj.weight``, ``out_proj.bias``.

        Raises:
            ValueError: a key is missing or an array has the wrong shape.
        """
        # TODO
        raise NotImplementedError

    def split_heads(self, x: np.ndarray) -> np.ndarray:
        """``(B, T, E)`` -> ``(B, H, T, D)``; head ``h`` takes features ``h * D : (h + 1) * D``."""
        # TODO: reshape to (B, T, H, D), then move the head axis forward.
        raise NotImplementedError

    def merge_heads(self, x: np.ndarray) -> np.ndarray:
        """``(B, H, T, D)`` -> ``(B, T, E)``, the inverse of :meth:`split_heads`."""
        # TODO
        raise NotImplementedError

    def __call__(
        self,
        query: np.ndarray,
        key: np.ndarray,
        value: np.ndarray,
        key_padding_mask: np.ndarray | None = None,
        attn_mask: np.ndarray | None = None,
        need_weights: bool = True,
        average_attn_weights: bool = True,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        return self.forward(
            query, key, value, key_padding_mask, attn_mask, need_weights, average_attn_weights
        )

    def forward(
        self,
        query: np.ndarray,
        key: np.ndarray,
        value: np.ndarray,
        key_padding_mask: np.ndarray | None = None,
        attn_mask: np.ndarray | None = None,
        need_weights: bool = True,
        average_attn_weights: bool = True,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Multi-head attention, batch first.

        Args:
            query: ``(B, L, E)``.
            key: ``(B, S, E)``.
            value: ``(B, S, E)``.
            key_padding_mask: ``(B, S)`` bool, True = padding key (ignored).
            attn_mask: ``(L, S)`` or ``(B * H, L, S)`` bool, True = not allowed.
            need_weights: return the attention weights (else ``None``).
            average_attn_weights: average the weights over heads (else per head).

        Returns:
            ``(output (B, L, E), weights (B, L, S) or (B, H, L, S) or None)``.

        Raises:
            ValueError: inconsistent shapes.
        """
        # TODO: project, split heads, attend with scale 1/sqrt(D), merge, output projection.
        raise NotImplementedError
