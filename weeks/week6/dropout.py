"""Drill: inverted dropout (easy, time box 15 minutes).

Interview prompt: "Implement dropout's forward and backward pass. Why do we scale at training
time, and what happens at inference?"

``dropout(x, p, training=True, rng=None) -> (out, mask)``

- ``p`` is the probability of DROPPING a unit, ``0 <= p <= 1`` (else ``ValueError``, in both
  functions). [#p-range]
- Training: draw an independent keep/drop decision for every element of ``x`` from ``rng`` (a
  ``np.random.Generator``), each dropped with probability ``p``. [#independent] ``None`` means
  a fresh ``np.random.default_rng()``, so two calls differ. [#rng-none] ``mask`` is a boolean
  array of ``x.shape``, ``True`` = kept. [#mask] Kept units are scaled by ``1 / (1 - p)``
  ("inverted" dropout) so that ``E[out] = x``; dropped units are 0. [#scale]
- ``training=False`` or ``p == 0``: ``out`` equals ``x`` (a copy), ``mask`` is all ``True``.
  [#identity]
- ``p == 1`` in training: ``out`` is all zeros and ``mask`` all ``False``; no division by zero,
  no warning. [#p-one]
- The same seed must give the same mask [#seed]; never modify ``x`` [#no-mutation].

``dropout_backward(grad_out, mask, p) -> grad_in``: the gradient w.r.t. ``x``: ``grad_out``
times the same mask and the same ``1 / (1 - p)`` scale (zeros when ``p == 1``). [#backward]

Example::

    >>> out, mask = dropout(np.ones(8), 0.5, rng=np.random.default_rng(0))
    >>> sorted(set(out.tolist()))           # kept units become 1 / (1 - 0.5) = 2
    [0.0, 2.0]
    >>> dropout(np.ones(3), 0.5, training=False)[0]
    array([1., 1., 1.])

Complexity: O(size of x), vectorised (no Python loop over elements). [#vectorized]
"""

from __future__ import annotations

import numpy as np

__all__ = ["dropout", "dropout_backward"]


def dropout(
    x: np.ndarray,
    p: float,
    training: bool = True,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout.

    Args:
        x: input array (any shape).
        p: probability of dropping each element, in ``[0, 1]``.
        training: apply dropout (``True``) or act as the identity (``False``).
        rng: random generator; ``None`` creates a fresh ``np.random.default_rng()``.

    Returns:
        ``(out, mask)``: ``out`` has the shape of ``x``; ``mask`` is boolean, True = kept.

    Raises:
        ValueError: ``p`` outside ``[0, 1]``.
    """
    # TODO: validate p, handle eval / p == 0 / p == 1, draw the mask, scale the kept units.
    raise NotImplementedError


def dropout_backward(grad_out: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
    """Gradient of :func:`dropout` w.r.t. its input.

    Args:
        grad_out: gradient w.r.t. the output of the forward pass.
        mask: the boolean mask returned by the forward pass.
        p: the same drop probability.

    Returns:
        ``grad_out * mask / (1 - p)`` (zeros when ``p == 1``).

    Raises:
        ValueError: ``p`` outside ``[0, 1]``.
    """
    # TODO
    raise NotImplementedError
