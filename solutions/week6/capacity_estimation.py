"""Estimation drills: QPS, storage, bandwidth and hardware for design interviews (solution)."""

from __future__ import annotations

import math

__all__ = [
    "SECONDS_PER_DAY",
    "average_qps",
    "backend_qps",
    "bandwidth",
    "gpu_batch_throughput",
    "mean_latency",
    "peak_qps",
    "qps_from_dau",
    "servers_needed",
    "storage_per_year",
]

SECONDS_PER_DAY = 86_400
DAYS_PER_YEAR = 365
_EPSILON = 1e-9  # ceil() guard against floating-point round-off (100 * 0.07 = 7.000000000000001)


def _non_negative(**values: float) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")


def _positive(**values: float) -> None:
    for name, value in values.items():
        if value <= 0:
            raise ValueError(f"{name} must be > 0, got {value}")


def _fraction(name: str, value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")


def average_qps(daily_requests: float) -> float:
    """Average requests per second of ``daily_requests`` spread over a day."""
    _non_negative(daily_requests=daily_requests)
    return daily_requests / SECONDS_PER_DAY


def peak_qps(daily_requests: float, peak_factor: float = 3.0) -> float:
    """Peak requests per second: the daily average times ``peak_factor`` (>= 1)."""
    if peak_factor < 1:
        raise ValueError(f"peak_factor must be >= 1 (peak is above average), got {peak_factor}")
    return average_qps(daily_requests) * peak_factor


def qps_from_dau(dau: float, requests_per_user: float, peak_factor: float = 3.0) -> float:
    """Peak requests per second from daily active users and requests per user per day."""
    _non_negative(dau=dau, requests_per_user=requests_per_user)
    return peak_qps(dau * requests_per_user, peak_factor)


def storage_per_year(items_per_day: float, bytes_per_item: float, replication: int = 1) -> float:
    """Bytes stored after one year (365 days) of ``items_per_day``, each kept ``replication``
    times."""
    _non_negative(items_per_day=items_per_day, bytes_per_item=bytes_per_item)
    if replication < 1:
        raise ValueError(f"replication must be >= 1 (copies kept), got {replication}")
    return items_per_day * bytes_per_item * DAYS_PER_YEAR * replication


def bandwidth(qps: float, payload_bytes: float) -> float:
    """Network bandwidth in **bits** per second for ``qps`` requests of ``payload_bytes``."""
    _non_negative(qps=qps, payload_bytes=payload_bytes)
    return qps * payload_bytes * 8


def servers_needed(qps: float, latency_s: float, concurrency: int, utilisation: float = 0.7) -> int:
    """Servers for ``qps`` by Little's law, each running at most ``utilisation`` of its
    ``concurrency`` in-flight requests: ``ceil(qps * latency_s / (concurrency * utilisation))``."""
    _non_negative(qps=qps, latency_s=latency_s)
    _positive(concurrency=concurrency)
    if not 0 < utilisation <= 1:
        raise ValueError(f"utilisation must be in (0, 1], got {utilisation}")
    in_flight = qps * latency_s
    return math.ceil(in_flight / (concurrency * utilisation) - _EPSILON)


def gpu_batch_throughput(
    batch_size: int, overhead_s: float, per_item_s: float, gpus: int = 1
) -> float:
    """Items per second when a batch of ``batch_size`` takes ``overhead_s + batch_size *
    per_item_s`` on each of ``gpus`` devices working in parallel."""
    _positive(batch_size=batch_size, gpus=gpus)
    _non_negative(overhead_s=overhead_s, per_item_s=per_item_s)
    batch_time = overhead_s + batch_size * per_item_s
    _positive(batch_time=batch_time)
    return gpus * batch_size / batch_time


def backend_qps(qps: float, hit_rate: float) -> float:
    """Requests per second that miss the cache and reach the model."""
    _non_negative(qps=qps)
    _fraction("hit_rate", hit_rate)
    return qps * (1 - hit_rate)


def mean_latency(hit_rate: float, hit_latency_s: float, miss_latency_s: float) -> float:
    """Mean latency behind a cache: hits cost ``hit_latency_s``, misses ``miss_latency_s``."""
    _fraction("hit_rate", hit_rate)
    _non_negative(hit_latency_s=hit_latency_s, miss_latency_s=miss_latency_s)
    return hit_rate * hit_latency_s + (1 - hit_rate) * miss_latency_s
