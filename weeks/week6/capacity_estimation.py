"""Estimation drills: QPS, storage, bandwidth and hardware for design interviews.

Time box: 20 minutes. In a design interview you say these numbers out loud; here you write them
as functions, so that the numbers in your design documents can be recomputed. Each function takes
plain floats in the units its parameter names say and returns a float (or an int for a count of
machines). [#return-types] Keep the units in your head the way they are in the names:

- a day has ``SECONDS_PER_DAY = 86_400`` seconds (about 10^5 for mental maths: 1 million
  requests a day is about 12 per second); a year here is 365 days; [#day-year]
- bytes are not bits: network bandwidth is quoted in **bits** per second, so multiply bytes by
  8, exactly once;
- traffic is not flat: size for the **peak**, ``peak_factor`` times the daily average;
- Little's law: requests in flight = arrival rate x time in system.

Every function raises ``ValueError`` for impossible inputs: a negative count, size or time;
``peak_factor < 1``; ``replication < 1``; ``concurrency``, ``batch_size`` or ``gpus`` that are
not positive; ``utilisation`` outside ``(0, 1]``; ``hit_rate`` outside ``[0, 1]``. [#validation]
The message names the parameter. [#error-message] Zero traffic is fine and gives zero.
[#zero-traffic]

Examples (an interview-style question: 50 million photos a day, 3x peak, 20 ms per image,
4 requests in flight per replica, replicas kept at 60 % busy):

>>> round(average_qps(50_000_000), 1)
578.7
>>> round(peak_qps(50_000_000, 3.0), 1)
1736.1
>>> servers_needed(1736.1, 0.020, 4, 0.6)
15
>>> bandwidth(1000, 250_000) / 1e9          # 1000 req/s of 250 kB images, in Gbit/s
2.0
>>> round(storage_per_year(50_000_000, 200_000, 3) / 1e15, 2)   # PB per year, three copies
10.95
"""

from __future__ import annotations

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


def average_qps(daily_requests: float) -> float:
    """Average requests per second of ``daily_requests`` spread evenly over one day. [#average-qps]

    Example: ``average_qps(86_400) == 1.0``; 1 million a day is about 11.6 per second.
    """
    # TODO: requests per day -> requests per second
    raise NotImplementedError


def peak_qps(daily_requests: float, peak_factor: float = 3.0) -> float:
    """Peak requests per second: the daily average times ``peak_factor`` (default 3). [#peak-qps]

    Args:
        daily_requests: requests per day.
        peak_factor: busiest second / average second (>= 1; 2-3x is typical for consumer
            traffic with a daily cycle).

    Example: ``peak_qps(8_640_000, 2.0) == 200.0``.
    """
    # TODO: size for the peak, not the average
    raise NotImplementedError


def qps_from_dau(dau: float, requests_per_user: float, peak_factor: float = 3.0) -> float:
    """Peak requests per second from daily active users. [#qps-from-dau]

    Args:
        dau: daily active users.
        requests_per_user: requests each user makes per day.
        peak_factor: as in :func:`peak_qps`.

    Example: 10 million users x 5 requests a day at 3x peak -> about 1,736 requests/s.
    """
    # TODO: users x requests per user is the daily volume
    raise NotImplementedError


def storage_per_year(items_per_day: float, bytes_per_item: float, replication: int = 1) -> float:
    """Bytes stored after one year of ingesting ``items_per_day`` items of ``bytes_per_item``.

    Every item is kept ``replication`` times (3 for a typical replicated object store; default
    1). A year is 365 days. Returns bytes (divide by 1e12 yourself for TB). [#storage]

    Example: 1 million 100 kB images a day, replication 3 -> ``1.095e14`` bytes (109.5 TB).
    """
    # TODO: items/day x bytes x days x copies
    raise NotImplementedError


def bandwidth(qps: float, payload_bytes: float) -> float:
    """Network bandwidth in **bits per second** for ``qps`` requests of ``payload_bytes`` each.
    [#bandwidth]

    Example: ``bandwidth(1000, 250_000) == 2e9`` (2 Gbit/s).
    """
    # TODO: bytes per second, then bits
    raise NotImplementedError


def servers_needed(qps: float, latency_s: float, concurrency: int, utilisation: float = 0.7) -> int:
    """Servers (replicas) needed for ``qps`` by Little's law.

    Each request spends ``latency_s`` seconds in a server, so ``qps * latency_s`` requests are
    in flight on average; one server handles ``concurrency`` at a time, and you only plan to use
    ``utilisation`` of it (headroom for bursts and a failed node; default 0.7). The answer is
    ``ceil(qps * latency_s / (concurrency * utilisation))``: round *up* [#servers], but do not let
    floating-point round-off add a server (``servers_needed(100, 0.07, 1, 1.0)`` is 7, although
    ``100 * 0.07`` is ``7.000000000000001`` in floating point). [#round-off] Zero traffic needs 0
    servers.

    Example: ``servers_needed(1000, 0.05, 4, 0.5) == 25``.
    """
    # TODO: Little's law, then headroom, then round up (carefully)
    raise NotImplementedError


def gpu_batch_throughput(
    batch_size: int, overhead_s: float, per_item_s: float, gpus: int = 1
) -> float:
    """Items per second of batched inference.

    One batch of ``batch_size`` items takes ``overhead_s + batch_size * per_item_s`` seconds on
    one device (a fixed cost per launch plus a cost per item); ``gpus`` devices work in parallel.
    [#gpu-throughput] Bigger batches amortise the overhead, which is why dynamic batching raises
    throughput. A batch that takes no time at all (both costs zero) raises ``ValueError``.
    [#gpu-zero-time]

    Example: batch 32, 8 ms overhead, 0.5 ms per image, 1 GPU -> 32 / 0.024 = 1,333 images/s.
    """
    # TODO: items per batch / seconds per batch, times devices
    raise NotImplementedError


def backend_qps(qps: float, hit_rate: float) -> float:
    """Requests per second that miss the cache and reach the model (``hit_rate`` in [0, 1]).
    [#backend-qps]

    Example: ``backend_qps(1000, 0.8) == 200.0`` (up to float round-off): the cache divides
    the model's load by 5.
    """
    # TODO: only misses reach the model
    raise NotImplementedError


def mean_latency(hit_rate: float, hit_latency_s: float, miss_latency_s: float) -> float:
    """Mean latency behind a cache: a hit costs ``hit_latency_s``, a miss ``miss_latency_s``.
    [#mean-latency]

    Example: 80 % hits at 2 ms, misses at 50 ms -> 0.8 x 2 + 0.2 x 50 = 11.6 ms.
    """
    # TODO: weight each path by how often it is taken
    raise NotImplementedError
