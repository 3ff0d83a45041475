"""Drill (easy, 20 minutes): bootstrap confidence intervals.

The prompt
----------
Implement in NumPy:

``bootstrap_ci(data, statistic, n_resamples=2000, confidence=0.95, seed=None,
method="percentile")``
    a confidence interval ``(low, high)`` for ``statistic(data)``;
``paired_bootstrap_ci(a, b, statistic, ...)`` (same keyword arguments)
    an interval for ``statistic(a) - statistic(b)`` when ``a[i]`` and ``b[i]`` are measured on
    the same example ``i`` (e.g. the per-image correctness of two models on one test set). The
    pairs are resampled **together**: one index array serves both, which cancels the variation
    the two share and gives a much narrower interval than resampling them independently.
    [#paired-together]

Resampling, exactly (the grader replays it, so follow it to the letter)::

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))      # resample indices with replacement
    stats = statistic(data[idx], axis=1)                 # one value per resample, vectorised

(for the paired version ``stats = statistic(a[idx], axis=1) - statistic(b[idx], axis=1)``).
[#resampling] ``statistic`` is a NumPy-style reduction that accepts ``axis`` (``np.mean``,
``np.median``, ...). The observed value is ``statistic(data[None, :], axis=1)[0]`` (paired:
the same for ``a`` minus the same for ``b``). [#observed]

Interval with ``alpha = 1 - confidence``, ``q_lo`` and ``q_hi`` the ``alpha / 2`` and
``1 - alpha / 2`` quantiles of ``stats`` (``np.quantile``, fractions in [0, 1]): [#quantiles]

- ``method="percentile"``: ``(q_lo, q_hi)``; [#percentile]
- ``method="basic"`` (reverse percentile): ``(2 * observed - q_hi, 2 * observed - q_lo)``.
  [#basic]

Return Python floats with ``low <= high``. [#floats] Cost: O(n_resamples * n) time and memory.
[#cost]

Errors (``ValueError``, raised by the call): ``data`` (or ``a``, ``b``) not 1-D or empty;
[#data-shape] ``a`` and ``b`` of different lengths; [#paired-lengths] ``n_resamples < 1``;
[#n-resamples] ``confidence`` not strictly between 0 and 1 (NaN included); [#confidence-range]
an unknown ``method``. [#method]

Example::

    >>> x = np.random.default_rng(0).normal(10.0, 2.0, size=100)
    >>> low, high = bootstrap_ci(x, np.mean, seed=1)
    >>> round(low, 2), round(high, 2)
    (9.79, 10.53)

The grader replays your resampling, checks that about 95% of the 95% intervals of simulated data
sets contain the true mean, and that the paired interval is narrower than the unpaired one on
correlated data.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["bootstrap_ci", "paired_bootstrap_ci"]

Statistic = Callable[..., "NDArray[np.float64] | float"]


def bootstrap_ci(
    data: ArrayLike,
    statistic: Statistic,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int | None = None,
    method: str = "percentile",
) -> tuple[float, float]:
    """Bootstrap confidence interval of ``statistic(data)``.

    Args:
        data: shape ``(n,)``.
        statistic: a reduction called as ``statistic(array, axis=1)``.
        n_resamples: number of bootstrap resamples.
        confidence: e.g. 0.95.
        seed: seed of ``np.random.default_rng``.
        method: ``"percentile"`` or ``"basic"``.

    Returns:
        ``(low, high)``.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: resample indices, vectorised statistic, two quantiles.
    raise NotImplementedError


def paired_bootstrap_ci(
    a: ArrayLike,
    b: ArrayLike,
    statistic: Statistic,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int | None = None,
    method: str = "percentile",
) -> tuple[float, float]:
    """Bootstrap confidence interval of ``statistic(a) - statistic(b)`` for paired data.

    Args:
        a: shape ``(n,)``.
        b: shape ``(n,)``, paired with ``a``.
        statistic: a reduction called as ``statistic(array, axis=1)``.
        n_resamples: number of bootstrap resamples.
        confidence: e.g. 0.95.
        seed: seed of ``np.random.default_rng``.
        method: ``"percentile"`` or ``"basic"``.

    Returns:
        ``(low, high)``.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: the same idx for a and b.
    raise NotImplementedError
