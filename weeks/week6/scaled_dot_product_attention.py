"""Drill: scaled dot-product attention with masks (medium, time box 25 minutes).

Interview prompt: "Write the attention function of a Transformer in NumPy, with a padding mask
and a causal option. Then tell me what happens when a whole row is masked."

``softmax(x, axis=-1)``: probabilities of the shape of ``x`` that sum to 1 along ``axis``.
[#softmax-axis] Numerically stable (subtract the max along ``axis``; the result must not contain
NaN or inf for inputs like 1e4). [#softmax-stable] Entries equal to ``-inf`` get probability 0
[#softmax-neg-inf]; a slice that is ``-inf`` everywhere gives all zeros (not NaN).
[#softmax-all-masked]

``attention(q, k, v, mask=None, causal=False) -> (out, weights)``

- ``q``: ``(..., Tq, d_k)``, ``k``: ``(..., Tk, d_k)``, ``v``: ``(..., Tk, d_v)``; the leading
  ``...`` batch dims (e.g. batch and heads) broadcast. [#broadcast]
- ``scores = q @ k^T / sqrt(d_k)``, shape ``(..., Tq, Tk)``. [#scale]
- ``mask``: optional BOOLEAN array broadcastable to ``(..., Tq, Tk)``; ``True`` means "query may
  attend to this key" (the convention of ``torch.nn.functional.scaled_dot_product_attention``).
  A padding mask for keys is typically ``(B, 1, 1, Tk)`` or ``(B, 1, Tk)``. [#mask]
- ``causal=True``: query ``i`` may only attend to keys ``j <= i`` (lower-triangular, aligned at
  the top-left when ``Tq != Tk``, like PyTorch's ``is_causal``). [#causal] Combined with
  ``mask``, a key must be allowed by both. [#mask-and-causal]
- Disallowed scores must get weight exactly 0, and masking happens BEFORE the softmax (so the
  allowed weights of each row sum to 1). [#mask-before-softmax]
- Fully masked row policy (same as PyTorch): a query with no allowed key gets weights all 0 and
  output all 0 (never NaN). [#fully-masked]
- Returns ``out = weights @ v`` of shape ``(..., Tq, d_v)`` and ``weights`` of shape
  ``(..., Tq, Tk)``, both float64. [#returns] The inputs are not modified. [#no-mutation]

Errors (``ValueError``, raised when called): ``q`` and ``k`` differ in ``d_k`` [#dk-mismatch];
``k`` and ``v`` differ in ``Tk`` [#tk-mismatch]; a non-boolean mask [#mask-bool].

Example::

    >>> q = k = np.eye(2)[None]                  # two orthogonal unit vectors, d_k = 2
    >>> v = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> out, w = attention(q, k, v, causal=True)
    >>> w[0].round(2)                            # row 0 sees only key 0
    array([[1.  , 0.  ],
           [0.33, 0.67]])

Complexity: O(batch * Tq * Tk * (d_k + d_v)) time, O(batch * Tq * Tk) memory for the weights
(never an array of ``Tq * Tk * d_k`` elements). [#memory]
"""

from __future__ import annotations

import numpy as np

__all__ = ["attention", "softmax"]


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Stable softmax along ``axis``.

    Args:
        x: scores; may contain ``-inf`` (masked entries).
        axis: the axis that sums to 1.

    Returns:
        Probabilities of the same shape; an all ``-inf`` slice gives zeros.
    """
    # TODO: subtract the (finite) max, exponentiate, divide by the sum; guard empty rows.
    raise NotImplementedError


def attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    mask: np.ndarray | None = None,
    causal: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled dot-product attention with an optional boolean mask and causal masking.

    Args:
        q: queries ``(..., Tq, d_k)``.
        k: keys ``(..., Tk, d_k)``.
        v: values ``(..., Tk, d_v)``.
        mask: boolean, broadcastable to ``(..., Tq, Tk)``; True = may attend.
        causal: forbid attending to later keys (``j > i``).

    Returns:
        ``(out, weights)`` with shapes ``(..., Tq, d_v)`` and ``(..., Tq, Tk)``.

    Raises:
        ValueError: inconsistent shapes or a non-boolean mask.
    """
    # TODO: scores, scale by 1 / sqrt(d_k), set disallowed scores to -inf, softmax over keys.
    raise NotImplementedError
