"""Tests of week6.capacity_estimation: back-of-the-envelope numbers with exact formulas.

Each test is an interview-style question with its worked answer; floats are compared with a
relative tolerance of 1e-9 (the formulas are exact), machine counts exactly. Run:
``pytest weeks/week6/tests/test_capacity_estimation.py``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from fractions import Fraction
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

DAY = 86_400


def close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


# -- QPS ---------------------------------------------------------------------------------------
@pytest.mark.clause("average-qps", "day-year", "zero-traffic")
@pytest.mark.parametrize(
    ("daily", "want"),
    [(86_400, 1.0), (1_000_000, 1_000_000 / DAY), (50_000_000, 50_000_000 / DAY), (0, 0.0)],
)
def test_average_qps_spreads_requests_over_86400_seconds(
    impl: ModuleType, daily: float, want: float
) -> None:
    got = impl.average_qps(daily)
    assert close(got, want), (
        f"average_qps({daily:,}) should be {want:.4f} requests/s (daily / 86,400 s), got {got}. "
        "A day has 86,400 seconds: dividing by 3,600 gives per-hour numbers, by 1,440 per-minute."
    )


@pytest.mark.clause("peak-qps")
@pytest.mark.parametrize(
    ("daily", "factor", "want"),
    [
        (8_640_000, 2.0, 200.0),
        (50_000_000, 3.0, 50_000_000 / DAY * 3),
        (1_000_000_000, 2.5, 1_000_000_000 / DAY * 2.5),
        (86_400, 1.0, 1.0),
    ],
)
def test_peak_qps_multiplies_the_average_by_the_peak_factor(
    impl: ModuleType, daily: float, factor: float, want: float
) -> None:
    got = impl.peak_qps(daily, factor)
    assert close(got, want), (
        f"peak_qps({daily:,}, peak_factor={factor}) should be {want:,.2f} requests/s "
        f"(average {daily / DAY:,.2f}/s x {factor}), got {got}: size for the peak, not the average"
    )


@pytest.mark.clause("peak-qps")
def test_peak_qps_default_peak_factor_is_3(impl: ModuleType) -> None:
    got = impl.peak_qps(8_640_000)
    assert close(got, 300.0), f"peak_qps(8,640,000) with the default factor 3 is 300/s, got {got}"


@pytest.mark.clause("qps-from-dau", "zero-traffic")
@pytest.mark.parametrize(
    ("dau", "per_user", "factor", "want"),
    [
        (10_000_000, 5, 3.0, 10_000_000 * 5 / DAY * 3),
        (2_000_000, 20, 2.0, 2_000_000 * 20 / DAY * 2),
        (0, 10, 3.0, 0.0),
    ],
)
def test_qps_from_dau_is_the_peak_of_users_times_requests(
    impl: ModuleType, dau: float, per_user: float, factor: float, want: float
) -> None:
    got = impl.qps_from_dau(dau, per_user, factor)
    assert close(got, want), (
        f"qps_from_dau({dau:,} users, {per_user} requests/user/day, peak {factor}) should be "
        f"{want:,.2f} requests/s at peak, got {got}"
    )


# -- storage and bandwidth ---------------------------------------------------------------------
@pytest.mark.clause("storage", "day-year")
@pytest.mark.parametrize(
    ("items", "size", "replication", "want"),
    [
        (1_000_000, 100_000, 3, 1.095e14),  # 1M images of 100 kB, 3 copies: 109.5 TB
        (50_000_000, 200_000, 3, 1.095e16),  # 50M photos of 200 kB, 3 copies: 10.95 PB
        (1_000, 1_000, 1, 365_000_000),
        (0, 1_000, 2, 0.0),
    ],
)
def test_storage_per_year_counts_days_size_and_copies(
    impl: ModuleType, items: float, size: float, replication: int, want: float
) -> None:
    got = impl.storage_per_year(items, size, replication)
    assert close(got, want), (
        f"storage_per_year({items:,} items/day, {size:,} bytes, replication={replication}) "
        f"should be {want:.4g} bytes (items/day x bytes x 365 days x {replication} copies), "
        f"got {got:.4g}" + (f" ({got / want:.4g}x the answer)" if want and got else "")
    )


@pytest.mark.clause("storage")
def test_storage_per_year_default_keeps_one_copy(impl: ModuleType) -> None:
    got = impl.storage_per_year(1_000, 1_000)
    assert close(got, 365_000_000), f"one copy by default: want 3.65e8 bytes, got {got}"


@pytest.mark.clause("bandwidth")
@pytest.mark.parametrize(
    ("qps", "payload", "want_bits"),
    [(1_000, 250_000, 2e9), (1_736, 200_000, 1_736 * 200_000 * 8), (10, 1, 80), (0, 500, 0)],
)
def test_bandwidth_is_in_bits_per_second(
    impl: ModuleType, qps: float, payload: float, want_bits: float
) -> None:
    got = impl.bandwidth(qps, payload)
    hint = ""
    if want_bits and close(got * 8, want_bits):
        hint = " (you returned bytes per second: multiply by 8 for bits)"
    elif want_bits and close(got, want_bits * 8):
        hint = " (you multiplied by 8 twice)"
    assert close(got, want_bits), (
        f"bandwidth({qps} req/s, {payload:,} bytes) should be {want_bits:.4g} bits/s, "
        f"got {got:.4g}{hint}"
    )


# -- servers -----------------------------------------------------------------------------------
@pytest.mark.clause("servers", "return-types", "zero-traffic")
@pytest.mark.parametrize(
    ("qps", "latency", "concurrency", "utilisation", "want"),
    [
        (1_000, 0.05, 4, 0.5, 25),  # 50 in flight / (4 x 0.5)
        (1_736.1, 0.020, 4, 0.6, 15),  # 34.7 in flight / 2.4 = 14.5 -> 15
        (500, 0.2, 8, 0.7, 18),  # 100 / 5.6 = 17.9 -> 18
        (10, 0.01, 1, 1.0, 1),  # 0.1 in flight still needs one server
        (0, 0.05, 4, 0.5, 0),  # no traffic, no servers
    ],
)
def test_servers_needed_by_littles_law(
    impl: ModuleType,
    qps: float,
    latency: float,
    concurrency: int,
    utilisation: float,
    want: int,
) -> None:
    got = impl.servers_needed(qps, latency, concurrency, utilisation)
    in_flight = qps * latency
    assert got == want, (
        f"servers_needed(qps={qps}, latency_s={latency}, concurrency={concurrency}, "
        f"utilisation={utilisation}) should be {want}: {in_flight:g} requests in flight / "
        f"({concurrency} x {utilisation}) rounded up; got {got}"
    )
    assert isinstance(got, int), f"servers_needed must return an int, got {type(got).__name__}"


@pytest.mark.clause("round-off")
@pytest.mark.parametrize(
    ("qps", "latency", "concurrency", "utilisation", "want"),
    [(100, 0.07, 1, 1.0, 7), (100, 0.07, 1, 0.7, 10), (120, 0.7, 4, 0.7, 30)],
)
def test_servers_needed_is_not_fooled_by_float_round_off(
    impl: ModuleType,
    qps: float,
    latency: float,
    concurrency: int,
    utilisation: float,
    want: int,
) -> None:
    raw = qps * latency / (concurrency * utilisation)
    got = impl.servers_needed(qps, latency, concurrency, utilisation)
    assert got == want, (
        f"servers_needed({qps}, {latency}, {concurrency}, {utilisation}) is exactly {want}, but "
        f"in floating point the quotient is {raw!r}; got {got}. Subtract a tiny epsilon "
        "(1e-9) before math.ceil so round-off does not buy an extra server."
    )


@pytest.mark.clause("servers")
def test_servers_needed_default_utilisation_is_70_percent(impl: ModuleType) -> None:
    got = impl.servers_needed(140, 0.1, 1)
    assert got == 20, (
        f"servers_needed(140, 0.1, 1) with utilisation 0.7 is 14 / 0.7 = 20, got {got}"
    )


@pytest.mark.clause("servers", "round-off")
@settings(
    derandomize=True,
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # impl is the same module
)
@given(
    qps=st.integers(min_value=1, max_value=100_000),
    latency_ms=st.integers(min_value=1, max_value=2_000),
    concurrency=st.integers(min_value=1, max_value=64),
    utilisation_pct=st.integers(min_value=10, max_value=100),
)
def test_servers_needed_is_the_smallest_sufficient_count(
    impl: ModuleType, qps: int, latency_ms: int, concurrency: int, utilisation_pct: int
) -> None:
    latency, utilisation = latency_ms / 1000, utilisation_pct / 100
    exact = (
        Fraction(qps) * Fraction(latency_ms, 1000) / (concurrency * Fraction(utilisation_pct, 100))
    )
    want = math.ceil(exact)
    got = impl.servers_needed(qps, latency, concurrency, utilisation)
    assert got == want, (
        f"servers_needed({qps}, {latency}, {concurrency}, {utilisation}) should be {want} (the "
        f"smallest n with n x {concurrency} x {utilisation} >= {qps} x {latency}), got {got}"
    )


# -- hardware and caches -----------------------------------------------------------------------
@pytest.mark.clause("gpu-throughput")
@pytest.mark.parametrize(
    ("batch", "overhead", "per_item", "gpus", "want"),
    [
        (32, 0.008, 0.0005, 1, 32 / 0.024),
        (1, 0.008, 0.0005, 1, 1 / 0.0085),
        (64, 0.008, 0.0005, 4, 4 * 64 / 0.040),
        (8, 0.0, 0.001, 2, 2 * 8 / 0.008),
    ],
)
def test_gpu_batch_throughput_amortises_the_overhead(
    impl: ModuleType, batch: int, overhead: float, per_item: float, gpus: int, want: float
) -> None:
    got = impl.gpu_batch_throughput(batch, overhead, per_item, gpus)
    assert close(got, want), (
        f"gpu_batch_throughput(batch={batch}, overhead_s={overhead}, per_item_s={per_item}, "
        f"gpus={gpus}) should be {want:,.1f} items/s: {gpus} x {batch} / ({overhead} + {batch} x "
        f"{per_item}) s; got {got:,.1f}"
    )


@pytest.mark.clause("gpu-throughput")
def test_bigger_batches_raise_throughput(impl: ModuleType) -> None:
    rates = [impl.gpu_batch_throughput(b, 0.008, 0.0005) for b in (1, 8, 32, 128)]
    assert rates == sorted(rates) and rates[0] < rates[-1], (
        f"with a fixed 8 ms launch overhead, batches 1, 8, 32, 128 must give increasing "
        f"throughput, got {[round(r) for r in rates]}"
    )


@pytest.mark.clause("backend-qps")
@pytest.mark.parametrize(
    ("qps", "hit_rate", "want"), [(1_000, 0.8, 200.0), (1_000, 0.0, 1_000.0), (500, 1.0, 0.0)]
)
def test_backend_qps_counts_only_cache_misses(
    impl: ModuleType, qps: float, hit_rate: float, want: float
) -> None:
    got = impl.backend_qps(qps, hit_rate)
    assert close(got, want), (
        f"backend_qps({qps}, hit_rate={hit_rate}) should be {want} (only the {1 - hit_rate:.0%} "
        f"misses reach the model), got {got}"
    )


@pytest.mark.clause("mean-latency")
@pytest.mark.parametrize(
    ("hit_rate", "hit", "miss", "want"),
    [(0.8, 0.002, 0.050, 0.0116), (0.0, 0.002, 0.050, 0.050), (0.5, 0.001, 0.021, 0.011)],
)
def test_mean_latency_weights_hits_and_misses(
    impl: ModuleType, hit_rate: float, hit: float, miss: float, want: float
) -> None:
    got = impl.mean_latency(hit_rate, hit, miss)
    assert close(got, want), (
        f"mean_latency(hit_rate={hit_rate}, hit={hit * 1000:g} ms, miss={miss * 1000:g} ms) "
        f"should be {want * 1000:g} ms ({hit_rate} x hit + {1 - hit_rate:g} x miss), "
        f"got {got * 1000:g} ms"
    )


# -- a whole interview question ----------------------------------------------------------------
@pytest.mark.clause("peak-qps", "backend-qps", "servers")
def test_the_fifty_million_photos_question(impl: ModuleType) -> None:
    """50M photos/day, 3x peak, 40 % cache hits, 20 ms per image, 4 in flight, 60 % busy."""
    peak = impl.peak_qps(50_000_000, 3.0)
    model = impl.backend_qps(peak, 0.4)
    servers = impl.servers_needed(model, 0.020, 4, 0.6)
    assert close(peak, 50_000_000 / DAY * 3), f"peak should be ~1,736 requests/s, got {peak}"
    assert close(model, peak * 0.6), f"60 % of the peak misses the cache: want {peak * 0.6}"
    assert servers == 9, (
        f"{model:,.1f} requests/s x 20 ms = {model * 0.02:.2f} in flight / (4 x 0.6) -> 9 "
        f"servers, got {servers}"
    )


# -- impossible inputs -------------------------------------------------------------------------
BAD_CALLS = [
    ("average_qps", (-1,)),
    ("peak_qps", (1_000, 0.5)),
    ("qps_from_dau", (-10, 5, 3.0)),
    ("storage_per_year", (1_000, -5, 1)),
    ("storage_per_year", (1_000, 5, 0)),
    ("bandwidth", (-1, 100)),
    ("servers_needed", (100, 0.1, 0, 0.5)),
    ("servers_needed", (100, 0.1, 4, 0.0)),
    ("servers_needed", (100, 0.1, 4, 1.5)),
    ("servers_needed", (100, -0.1, 4, 0.5)),
    ("gpu_batch_throughput", (0, 0.01, 0.001, 1)),
    ("gpu_batch_throughput", (8, 0.01, 0.001, 0)),
    ("backend_qps", (100, 1.2)),
    ("mean_latency", (-0.1, 0.001, 0.01)),
]


@pytest.mark.clause("validation")
@pytest.mark.parametrize(("name", "args"), BAD_CALLS, ids=[f"{n}{a}" for n, a in BAD_CALLS])
def test_impossible_inputs_raise_value_error(impl: ModuleType, name: str, args: tuple) -> None:
    function = getattr(impl, name)
    with pytest.raises(ValueError):
        result = function(*args)
        pytest.fail(f"{name}{args} should raise ValueError (impossible input), returned {result}")


# -- differential: judged against the reference on drawn inputs --------------------------------
#: Counts, sizes and times: zero, typical magnitudes, just below zero, and large values.
amounts = st.one_of(
    st.sampled_from([0, 0.0, 1, 86_400, 50_000_000, 2.5e-3, -1, -1e-9, -0.0]),
    st.floats(0, 1e9),
    st.integers(0, 10**9),
)
factors = st.one_of(st.sampled_from([1, 1.0, 2.5, 3, 0.999, 0, -2]), st.floats(0.5, 10))
fractions_ = st.one_of(
    st.sampled_from([0, 0.0, 1, 1.0, 0.5, 0.8, 1 - 1e-12, 1e-12, -1e-9, 1 + 1e-9, 2]),
    st.floats(0, 1),
)
counts = st.one_of(st.sampled_from([1, 2, 3, 4, 64, 0, -1]), st.integers(1, 1000))
utilisations = st.one_of(
    st.sampled_from([1, 1.0, 0.7, 0.6, 0.5, 1e-3, 0, 0.0, -0.1, 1 + 1e-9, 1.5]), st.floats(0.05, 1)
)

#: name -> (argument strategies, absolute tolerance from the arguments' magnitude).
#: Products and quotients of a few floats agree to a few ulps in any order (rtol 1e-12 is
#: thousands of ulps); the two weighted sums may cancel, so their floor scales with the inputs.
CALLS: dict[str, tuple[tuple[Any, ...], Callable[..., float]]] = {
    "average_qps": ((amounts,), lambda *a: 0.0),
    "peak_qps": ((amounts, factors), lambda *a: 0.0),
    "qps_from_dau": ((amounts, amounts, factors), lambda *a: 0.0),
    "storage_per_year": ((amounts, amounts, counts), lambda *a: 0.0),
    "bandwidth": ((amounts, amounts), lambda *a: 0.0),
    "gpu_batch_throughput": ((counts, amounts, amounts, counts), lambda *a: 0.0),
    "backend_qps": ((amounts, fractions_), lambda qps, h: 1e-12 * abs(qps)),
    "mean_latency": ((fractions_, amounts, amounts), lambda h, a, b: 1e-12 * max(abs(a), abs(b))),
}


def bad_message(reference: ModuleType, name: str, error: BaseException, args: tuple) -> str | None:
    """``None`` if the error message names one of the function's parameters, else a complaint."""
    params = list(inspect.signature(getattr(reference, name)).parameters)
    if name == "gpu_batch_throughput" and args[1] == 0 and args[2] == 0:
        return None  # a zero batch time: no single parameter is to blame
    if any(p in str(error) for p in params):
        return None
    return f"{name}{args} raised ValueError({str(error)!r}), which names none of {params}"


@pytest.mark.clause(
    "average-qps", "peak-qps", "qps-from-dau", "storage", "bandwidth", "gpu-throughput",
    "gpu-zero-time", "backend-qps", "mean-latency", "validation", "error-message",
    "zero-traffic", "return-types",
)  # fmt: skip
@settings(report_multiple_bugs=False)  # a stub's NotImplementedError: one "not started"
@given(data=st.data(), name=st.sampled_from(sorted(CALLS)))
def test_estimates_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, data: Any, name: str
) -> None:
    strategies, floor = CALLS[name]
    args = tuple(data.draw(s, label=f"{name} argument {i}") for i, s in enumerate(strategies))
    want = diff.call(getattr(reference, name), *args)
    atol = 0.0 if want.raised else floor(*args)
    diff.assert_same(getattr(impl, name), getattr(reference, name), *args, rtol=1e-12, atol=atol)
    if want.raised:
        got = diff.call(getattr(impl, name), *args)
        problem = bad_message(reference, name, got.error, args)
        assert problem is None, problem + ": say which parameter is impossible"


def servers_compare(args: tuple) -> Callable[[Any, Any], str | None]:
    """Several answers are right only within round-off of an integer: ceil of the exact
    quotient of the float inputs, or the integer it is within 1e-9 (relative) of."""

    def compare(got: Any, want: Any) -> str | None:
        if type(got) is not int:
            return f"expected an int, got {got!r}"
        qps, latency, concurrency, utilisation = args
        exact = Fraction(qps) * Fraction(latency) / (Fraction(concurrency) * Fraction(utilisation))
        nearest = round(exact)
        allowed = {math.ceil(exact)}
        if abs(exact - nearest) <= Fraction(1, 10**9) * max(1, exact):
            allowed.add(nearest)
        if got in allowed:
            return None
        return f"expected {sorted(allowed)} (ceil of {float(exact)!r}), got {got}"

    return compare


@pytest.mark.clause("servers", "round-off", "validation", "zero-traffic", "return-types")
@settings(report_multiple_bugs=False)
@given(
    qps=st.one_of(st.sampled_from([0, 0.0, 100, 1736.1, -1]), st.floats(0.01, 1e4)),
    latency=st.one_of(st.sampled_from([0.07, 0.7, 0.02, 0, -0.01]), st.floats(1e-3, 2)),
    concurrency=counts,
    utilisation=utilisations,
)
@example(qps=100, latency=0.07, concurrency=1, utilisation=1.0)
@example(qps=1000.05, latency=0.01, concurrency=1, utilisation=1.0)  # 10.0005: 11
@example(qps=120, latency=0.7, concurrency=4, utilisation=0.7)
@example(qps=0, latency=0.05, concurrency=4, utilisation=1e-3)
def test_servers_needed_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    qps: float,
    latency: float,
    concurrency: int,
    utilisation: float,
) -> None:
    args = (qps, latency, concurrency, utilisation)
    diff.assert_same(
        impl.servers_needed, reference.servers_needed, *args, compare=servers_compare(args)
    )
    if diff.call(reference.servers_needed, *args).raised:
        got = diff.call(impl.servers_needed, *args)
        problem = bad_message(reference, "servers_needed", got.error, args)
        assert problem is None, problem + ": say which parameter is impossible"


@pytest.mark.clause("day-year")
def test_the_day_constant(impl: ModuleType) -> None:
    assert impl.SECONDS_PER_DAY == 86_400, f"SECONDS_PER_DAY is 86,400, got {impl.SECONDS_PER_DAY}"
    assert impl.storage_per_year(1, 1) == pytest.approx(365), "a year here is 365 days"


@pytest.mark.clause("gpu-zero-time", "gpu-throughput")
@pytest.mark.parametrize(
    "args", [(8, 0.0, 0.0, 1), (1, 0, 0.0, 4), (8, 0.0, 1e-3, 2), (3, 1e-3, 0, 1)]
)
def test_gpu_batch_of_zero_time_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, args: tuple
) -> None:
    diff.assert_same(impl.gpu_batch_throughput, reference.gpu_batch_throughput, *args, rtol=1e-12)


#: A valid call of each function; the test below makes one argument at a time impossible.
BASELINES: dict[str, tuple] = {
    "average_qps": (50_000_000,),
    "peak_qps": (50_000_000, 3.0),
    "qps_from_dau": (1_000_000, 5, 3.0),
    "storage_per_year": (1_000_000, 100_000, 3),
    "bandwidth": (1_000, 250_000),
    "servers_needed": (1_000, 0.05, 4, 0.5),
    "gpu_batch_throughput": (32, 0.008, 0.0005, 1),
    "backend_qps": (1_000, 0.8),
    "mean_latency": (0.8, 0.002, 0.05),
}
#: Edge values per parameter: impossible ones (ValueError) and the valid extremes.
EDGES: dict[str, list[float]] = {
    "peak_factor": [0.999, 0, -3, 1],
    "replication": [0, -1, 1],
    "concurrency": [0, -1, 1],
    "batch_size": [0, -1, 1],
    "gpus": [0, -1, 1],
    "utilisation": [0, 0.0, -0.1, 1.5, 1 + 1e-9, 1, 1e-3],
    "hit_rate": [-0.1, -1e-9, 1.1, 1 + 1e-9, 0, 1],
}
DEFAULT_EDGES = [-1, -1e-9, 0, 0.0]  # counts, sizes, times
ONE_AT_A_TIME = [
    (name, i, value)
    for name, base in BASELINES.items()
    for i, param in enumerate(
        ["daily_requests"] if name == "average_qps" else
        {"peak_qps": ["daily_requests", "peak_factor"],
         "qps_from_dau": ["dau", "requests_per_user", "peak_factor"],
         "storage_per_year": ["items_per_day", "bytes_per_item", "replication"],
         "bandwidth": ["qps", "payload_bytes"],
         "servers_needed": ["qps", "latency_s", "concurrency", "utilisation"],
         "gpu_batch_throughput": ["batch_size", "overhead_s", "per_item_s", "gpus"],
         "backend_qps": ["qps", "hit_rate"],
         "mean_latency": ["hit_rate", "hit_latency_s", "miss_latency_s"]}[name]
    )
    for value in EDGES.get(param, DEFAULT_EDGES)
]  # fmt: skip


@pytest.mark.clause("validation", "error-message", "zero-traffic")
@pytest.mark.parametrize(("name", "index", "value"), ONE_AT_A_TIME, ids=repr)
def test_each_parameter_is_validated_like_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, index: int, value: float
) -> None:
    args = list(BASELINES[name])
    args[index] = value
    param = list(inspect.signature(getattr(reference, name)).parameters)[index]
    fn, ref = getattr(impl, name), getattr(reference, name)
    if name == "servers_needed":
        diff.assert_same(fn, ref, *args, compare=servers_compare(tuple(args)))
    else:
        diff.assert_same(fn, ref, *args, rtol=1e-12, atol=1e-12 * max(abs(a) for a in args))
    error = diff.call(fn, *args).error
    if error is not None:
        assert param in str(error), (
            f"{name}({', '.join(map(repr, args))}): the ValueError should name the impossible "
            f"parameter {param!r}, got {str(error)!r}"
        )
