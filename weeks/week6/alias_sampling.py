"""Drill: weighted sampling in O(1) per draw with the alias method (hard, time box 35 minutes).

Interview prompt: "We sample millions of items by weight (ads, negative samples, replay
buffer). Build a sampler with O(n) set-up and O(1) per draw." Implement Vose's alias method.

``AliasSampler(weights, seed=None)``

- ``weights``: 1-D, non-empty, finite, non-negative, not all zero (else ``ValueError``);
  [#weights-errors] item ``i`` must be drawn with probability ``p_i = weights[i] / sum(weights)``.
  [#distribution] Zero-weight items are never drawn. [#zero-never]
- Build two tables of length ``n`` in O(n) (no sorting, no repeated min/max scans):
  ``prob`` (float, in ``[0, 1]``) and ``alias`` (int). Column ``i`` is a unit-height bucket:
  with probability ``prob[i]`` it yields ``i``, otherwise ``alias[i]``. So the table represents
  the distribution ``(prob[i] + sum over j with alias[j] == i of (1 - prob[j])) / n`` and the
  grader checks that this equals ``p`` exactly (to 1e-12). [#tables]

  Vose's construction: scale ``q_i = p_i * n`` (mean 1); put indices with ``q < 1`` in a
  ``small`` list and the others in ``large``; while both are non-empty pop ``s`` and ``g``, set
  ``prob[s] = q_s``, ``alias[s] = g``, then ``q_g -= 1 - q_s`` (g fills the rest of column s)
  and put ``g`` back into ``small`` or ``large``. Whatever remains in either list gets
  ``prob = 1`` (rounding leftovers). [#build-linear]
- The random generator is ``np.random.default_rng(seed)``, created once in ``__init__`` (so
  successive ``sample`` calls continue one stream). [#seeded]

``sample(k)``: ``k`` independent draws as an int64 array of shape ``(k,)`` (``k == 0`` gives an
empty array, ``k < 0`` raises ``ValueError``). [#sample] Each draw: a uniform column ``i`` in
``[0, n)`` and a uniform ``u`` in ``[0, 1)``; return ``i`` if ``u < prob[i]`` else ``alias[i]``.
Vectorise over the ``k`` draws. It must use the tables: the grader replaces ``prob`` and
``alias`` with tables of its own and checks the draws follow them. [#uses-tables]

Judges: exact table reproduction, a chi-square goodness-of-fit test
(``scipy.stats.chisquare``) on 200 000 seeded draws, zero weights never drawn, and the build's
work counted on 3000 weights (array elements handed to function and method calls).

Example::

    >>> sampler = AliasSampler([1.0, 3.0, 0.0, 4.0], seed=0)
    >>> counts = np.bincount(sampler.sample(80_000), minlength=4)
    >>> np.round(counts / 80_000, 2)                  # p = [0.125, 0.375, 0, 0.5]
    array([0.13, 0.37, 0.  , 0.5 ])

Complexity: O(n) build, O(1) per draw, O(n) memory. [#complexity]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["AliasSampler"]


class AliasSampler:
    """Draw indices ``i`` with probability ``weights[i] / sum(weights)`` in O(1) per draw.

    Attributes:
        prob: keep-probability of each column, shape ``(n,)``.
        alias: the other outcome of each column, shape ``(n,)``.
    """

    def __init__(self, weights: Sequence[float] | np.ndarray, seed: int | None = None) -> None:
        """Validate the weights and build the tables in O(n).

        Args:
            weights: non-negative weights, not all zero.
            seed: seed of the NumPy generator used by :meth:`sample`.

        Raises:
            ValueError: empty, non 1-D, negative, non-finite or all-zero weights.
        """
        # TODO: scale to mean 1, small/large work lists, pair them, leftovers get prob 1.
        raise NotImplementedError

    def sample(self, k: int) -> np.ndarray:
        """Draw ``k`` indices.

        Args:
            k: number of draws (>= 0).

        Returns:
            int64 array of shape ``(k,)``.

        Raises:
            ValueError: ``k < 0``.
        """
        # TODO: uniform columns, uniform coins, keep the column or take its alias.
        raise NotImplementedError
