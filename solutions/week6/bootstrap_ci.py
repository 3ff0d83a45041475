"""Reference solution: percentile and basic bootstrap confidence intervals, plain and paired."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["bootstrap_ci", "paired_bootstrap_ci"]

METHODS = ("percentile", "basic")
Statistic = Callable[..., "NDArray[np.float64] | float"]


def _check(n: int, n_resamples: int, confidence: float, method: str) -> None:
    if n == 0:
        raise ValueError("data must not be empty")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def _interval(
    stats: NDArray[np.float64], observed: float, confidence: float, method: str
) -> tuple[float, float]:
    low, high = np.quantile(stats, [(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0])
    if method == "basic":
        low, high = 2.0 * observed - high, 2.0 * observed - low
    return float(low), float(high)


def _vector(x: ArrayLike, name: str) -> NDArray:
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {x.shape}")
    return x


def bootstrap_ci(
    data: ArrayLike,
    statistic: Statistic,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int | None = None,
    method: str = "percentile",
) -> tuple[float, float]:
    """Bootstrap confidence interval of ``statistic(data)``."""
    data = _vector(data, "data")
    _check(len(data), n_resamples, confidence, method)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(data), size=(n_resamples, len(data)))
    stats = np.asarray(statistic(data[idx], axis=1), dtype=np.float64)
    observed = float(statistic(data[None, :], axis=1)[0])
    return _interval(stats, observed, confidence, method)


def paired_bootstrap_ci(
    a: ArrayLike,
    b: ArrayLike,
    statistic: Statistic,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int | None = None,
    method: str = "percentile",
) -> tuple[float, float]:
    """Bootstrap interval of ``statistic(a) - statistic(b)`` resampling the pairs together."""
    a, b = _vector(a, "a"), _vector(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must be paired (same length), got {a.shape} and {b.shape}")
    _check(len(a), n_resamples, confidence, method)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n_resamples, len(a)))
    stats = np.asarray(statistic(a[idx], axis=1) - statistic(b[idx], axis=1), dtype=np.float64)
    observed = float(statistic(a[None, :], axis=1)[0] - statistic(b[None, :], axis=1)[0])
    return _interval(stats, observed, confidence, method)
