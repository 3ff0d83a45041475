"""Drill: gradient clipping by global norm and by value (easy, time box 15 minutes).

Interview prompt: "Your training loss spikes to NaN now and then. Implement gradient clipping by
norm and by value, exactly as ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_`` do it,
but without modifying the inputs."

``clip_grad_norm(grads, max_norm) -> (clipped, total_norm)``

- ``grads``: a list of float arrays (one per parameter tensor, any shapes).
- ``total_norm``: ONE global L2 norm over all of them together,
  ``sqrt(sum over arrays of sum(g ** 2))``, measured BEFORE clipping (returned as a float).
  [#global-norm]
- Every array is multiplied by the same ``scale = min(1, max_norm / (total_norm + 1e-6))``
  (PyTorch's formula: the ``1e-6`` avoids dividing by zero for all-zero gradients, and the
  ``min`` means small gradients are never scaled up). [#scale]
- ``clipped``: NEW arrays (same shapes and dtypes) in a list; the input arrays are not
  modified. [#new-arrays]
- ``max_norm < 0``: ``ValueError``. [#max-norm-range] An empty list gives ``([], 0.0)``.
  [#empty]

``clip_grad_value(grads, clip_value) -> clipped``: every element clamped into
``[-clip_value, clip_value]``, new arrays (a list, same shapes and dtypes); [#clip-value]
``clip_value < 0``: ``ValueError``. [#clip-value-range]

Float32 gradients may be summed in float32 (as PyTorch does): results are compared to float32
precision then.

Example::

    >>> clipped, norm = clip_grad_norm([np.array([3.0]), np.array([4.0])], max_norm=1.0)
    >>> norm, [c.round(4) for c in clipped]        # global norm 5: both scaled by 1/5
    (5.0, [array([0.6]), array([0.8])])
    >>> clip_grad_value([np.array([-3.0, 0.5, 2.0])], 1.0)
    [array([-1. ,  0.5,  1. ])]

Complexity: O(total number of gradient entries).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["clip_grad_norm", "clip_grad_value"]


def clip_grad_norm(grads: Sequence[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Scale all gradients together so their global L2 norm is at most ``max_norm``.

    Args:
        grads: gradient arrays (not modified).
        max_norm: the largest allowed global norm (>= 0).

    Returns:
        ``(clipped arrays, global norm before clipping)``.

    Raises:
        ValueError: ``max_norm < 0``.
    """
    # TODO: one norm over everything, one scale for everything, new arrays.
    raise NotImplementedError


def clip_grad_value(grads: Sequence[np.ndarray], clip_value: float) -> list[np.ndarray]:
    """Clamp every gradient element into ``[-clip_value, clip_value]``.

    Args:
        grads: gradient arrays (not modified).
        clip_value: the largest allowed magnitude (>= 0).

    Returns:
        New clamped arrays.

    Raises:
        ValueError: ``clip_value < 0``.
    """
    # TODO
    raise NotImplementedError
