"""Drill (easy, 20 minutes): streaming mean and variance (Welford) with merge.

The prompt
----------
Per-pixel or per-feature statistics of a data set too large for memory are computed in one pass,
often in parallel shards that are merged at the end. Implement ``RunningStats`` (pure Python or
NumPy):

- ``RunningStats()``: an empty summary; [#empty]
- ``update(x)``: add a scalar, or every value of a 1-D batch; [#update] returns ``self`` (so
  updates chain); [#update-self] a 2-D ``x`` raises ``ValueError``; an empty batch changes
  nothing; [#empty-batch]
- ``merge(other)``: a **new** summary equal to having seen both streams [#merge] (neither input
  changes); [#merge-new]
- ``count`` (property, int), ``mean`` (property, float), ``variance(ddof=0)`` and
  ``std(ddof=0)`` (floats; ``variance`` is the sum of squared deviations divided by
  ``count - ddof``). [#moments]

State: O(1) memory, three numbers (count, mean, M2 = sum of squared deviations from the mean).
Never store the values, [#memory] and never use the textbook ``E[x^2] - E[x]^2`` (or ``sum(x^2)``
and ``sum(x)``): for values around 1e9 with a spread of a few units it cancels catastrophically
(the squares are ~1e18, whose float64 spacing is 128) and returns garbage, even negative
variances. [#stable]

- Welford's update for one value ``x``: ``n += 1; delta = x - mean; mean += delta / n;
  M2 += delta * (x - mean)`` (the second factor uses the *new* mean).
- Chan et al.'s merge of ``(n_a, mean_a, M2_a)`` and ``(n_b, mean_b, M2_b)``:
  ``delta = mean_b - mean_a; n = n_a + n_b; mean = mean_a + delta * n_b / n;
  M2 = M2_a + M2_b + delta**2 * n_a * n_b / n``. A batch update is a merge with the batch's own
  (two-pass) summary.

Errors (``ValueError``): ``mean`` of an empty summary; [#empty-mean] ``variance``/``std`` when
``count - ddof <= 0``; [#ddof-range] ``update`` with a 2-D array (the summary is left
unchanged). [#update-2d]

Example::

    >>> s = RunningStats().update(1e9 + 4).update(1e9 + 7).update(np.array([1e9 + 13, 1e9 + 16]))
    >>> s.count, s.mean, s.variance(ddof=1)
    (4, 1000000010.0, 30.0)

The grader compares with NumPy (float64, two-pass) and checks that merging shards equals one pass.
"""

from __future__ import annotations

import numpy as np  # noqa: F401 - you will want it
from numpy.typing import ArrayLike

__all__ = ["RunningStats"]


class RunningStats:
    """Streaming count, mean and variance of a sequence of numbers."""

    def __init__(self) -> None:
        """An empty summary."""
        # TODO: the three numbers of the state.
        raise NotImplementedError

    @property
    def count(self) -> int:
        """Number of values seen."""
        # TODO
        raise NotImplementedError

    @property
    def mean(self) -> float:
        """Mean of the values seen.

        Raises:
            ValueError: if no value was seen.
        """
        # TODO
        raise NotImplementedError

    def variance(self, ddof: int = 0) -> float:
        """Sum of squared deviations divided by ``count - ddof``.

        Raises:
            ValueError: if ``count - ddof <= 0``.
        """
        # TODO
        raise NotImplementedError

    def std(self, ddof: int = 0) -> float:
        """Square root of :meth:`variance`."""
        # TODO
        raise NotImplementedError

    def update(self, x: float | ArrayLike) -> RunningStats:
        """Add a scalar or a 1-D batch of values.

        Args:
            x: a number or a 1-D array-like.

        Returns:
            ``self``.

        Raises:
            ValueError: if ``x`` has more than one dimension.
        """
        # TODO: Welford for a scalar; for a batch, merge its two-pass summary.
        raise NotImplementedError

    def merge(self, other: RunningStats) -> RunningStats:
        """Combine two summaries (Chan et al.).

        Args:
            other: another summary.

        Returns:
            A new summary of both streams; ``self`` and ``other`` are unchanged.
        """
        # TODO
        raise NotImplementedError
