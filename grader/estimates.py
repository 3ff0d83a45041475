"""Back-of-the-envelope estimates: quantities with units, read from a document and recomputed.

:func:`parse_estimates` reads the estimates a written answer states (an :class:`Estimates` of
:class:`Estimate` values, converted to base units: count, bytes, seconds, ratio, money; rates per
second) and :func:`check_estimates` recomputes every derivable one from the others, giving an
:class:`EstimateCheck` each, flagged when more than :data:`TOLERANCE` (2x) off.
:mod:`grader.design_judge` runs both on every design answer.

Stating estimates
-----------------
Write each estimate either as a row of a Markdown table (first cell the quantity, then the value,
then an optional unit) or as a line ``name = value [unit]``::

    | quantity | value | unit |
    |---|---|---|
    | daily_requests | 50,000,000 | requests/day |
    | peak_factor | 3 | |
    | peak_qps | 1,736 | requests/s |

    latency_ms = 20
    replicas = 12

A unit may also be the end of the name (``latency_ms``, ``storage_tb``, ``bandwidth_gbps``).
Values accept ``1,736``, ``1.7k``, ``50M``, ``5e7``, ``80%``; a line may show its working
(``peak_qps = 579 x 3 = 1,736 requests/s``: the value after the last ``=`` counts). The names the
judge understands (and recomputes) are in :data:`QUANTITIES` and :data:`DERIVATIONS`; any name
starting with ``budget_`` is one stage of a latency budget whose sum must fit ``latency_slo``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = [
    "DERIVATIONS",
    "QUANTITIES",
    "TOLERANCE",
    "Estimate",
    "EstimateCheck",
    "Estimates",
    "Quantity",
    "check_estimates",
    "impossible_values",
    "is_estimate_line",
    "parse_estimates",
]

TOLERANCE = 2.0  # an estimate more than 2x away from its recomputed value is flagged


# dimension: (base, per_time). Base units: count, bytes, seconds, ratio, money; per_time means
# "per second". Bits are bytes / 8.
Dim = tuple[str, bool]
COUNT: Dim = ("count", False)
RATE: Dim = ("count", True)
BYTES: Dim = ("bytes", False)
BYTE_RATE: Dim = ("bytes", True)
TIME: Dim = ("time", False)
RATIO: Dim = ("ratio", False)
MONEY: Dim = ("money", False)
MONEY_RATE: Dim = ("money", True)


@dataclass(frozen=True)
class Quantity:
    dim: Dim
    unit: str  # default unit when none is written
    aliases: tuple[str, ...] = ()
    description: str = ""


#: The quantities the judge understands: canonical name -> dimension, default unit, aliases.
QUANTITIES: dict[str, Quantity] = {
    "dau": Quantity(COUNT, "", ("daily_active_users", "users"), "daily active users"),
    "requests_per_user": Quantity(
        COUNT, "", ("requests_per_user_per_day",), "requests per user per day"
    ),
    "daily_requests": Quantity(
        RATE,
        "/day",
        (
            "requests_per_day",
            "daily_predictions",
            "predictions_per_day",
            "daily_events",
            "events_per_day",
            "daily_queries",
            "queries_per_day",
            "daily_photos",
            "photos_per_day",
        ),
        "requests per day",
    ),
    "avg_qps": Quantity(
        RATE, "/s", ("average_qps", "mean_qps", "avg_rps", "avg_eps", "average_eps"), "average"
    ),
    "peak_factor": Quantity(RATIO, "", ("peak_to_average", "peak_ratio"), "peak / average"),
    "peak_qps": Quantity(RATE, "/s", ("qps_peak", "peak_rps", "peak_eps"), "peak requests/s"),
    "scale_factor": Quantity(RATIO, "", ("growth_factor", "traffic_multiplier"), "growth"),
    "target_qps": Quantity(
        RATE, "/s", ("target_peak_qps", "scaled_qps", "future_peak_qps"), "peak after growth"
    ),
    "cache_hit_rate": Quantity(RATIO, "", ("hit_rate", "cache_hit_ratio"), "share of hits"),
    "backend_qps": Quantity(
        RATE, "/s", ("model_qps", "miss_qps", "uncached_qps", "qps_after_cache"), "cache misses"
    ),
    "latency": Quantity(
        TIME, "s", ("service_time", "inference_latency", "model_latency"), "time per request"
    ),
    "concurrency_per_replica": Quantity(
        COUNT, "", ("concurrency", "concurrency_per_pod", "workers_per_replica"), "in flight"
    ),
    "replica_throughput": Quantity(
        RATE,
        "/s",
        ("pod_capacity", "pod_capacity_qps", "per_pod_qps", "qps_per_replica", "qps_per_pod"),
        "measured requests/s one replica sustains",
    ),
    "utilisation": Quantity(
        RATIO, "", ("utilization", "target_utilisation", "target_utilization"), "target load"
    ),
    "replicas": Quantity(
        COUNT, "", ("servers", "pods", "replicas_needed", "servers_needed"), "serving replicas"
    ),
    "items_per_day": Quantity(
        RATE, "/day", ("images_per_day", "new_items_per_day", "stored_per_day"), "stored/day"
    ),
    "item_size": Quantity(
        BYTES, "B", ("bytes_per_item", "image_size", "event_size", "record_size"), "per item"
    ),
    "retention": Quantity(TIME, "day", ("retention_period",), "how long items are kept"),
    "replication": Quantity(RATIO, "", ("replication_factor", "copies"), "copies kept"),
    "storage": Quantity(BYTES, "B", ("total_storage", "storage_needed"), "total storage"),
    "payload_size": Quantity(BYTES, "B", ("request_size", "payload"), "bytes per request"),
    "bandwidth": Quantity(
        BYTE_RATE, "bit/s", ("ingress_bandwidth", "network_bandwidth"), "at peak"
    ),
    "latency_slo": Quantity(TIME, "s", ("slo_latency", "end_to_end_slo", "p99_slo"), "SLO"),
    "catalogue_size": Quantity(
        COUNT, "", ("catalogue_items", "catalog_size", "catalog_items", "corpus_size"), "items"
    ),
    "candidates_retrieved": Quantity(
        COUNT, "", ("retrieval_candidates", "retrieved_candidates"), "after retrieval"
    ),
    "candidates_ranked": Quantity(
        COUNT, "", ("ranking_candidates", "ranked_candidates"), "scored by the ranker"
    ),
    "results_shown": Quantity(COUNT, "", ("slate_size", "results_returned"), "shown to the user"),
    "model_size": Quantity(BYTES, "B", ("model_bytes", "artifact_size"), "model file size"),
    "p99_latency": Quantity(TIME, "s", ("latency_p99", "measured_p99"), "measured p99"),
    "cost_per_replica_hour": Quantity(
        MONEY_RATE, "$/hour", ("cost_per_pod_hour", "price_per_replica_hour"), "price"
    ),
    "monthly_cost": Quantity(MONEY, "$", ("cost_per_month",), "serving cost per month"),
    "cost_per_million": Quantity(
        MONEY, "$", ("cost_per_million_predictions", "cost_per_million_requests"), "unit cost"
    ),
}
_ALIASES = {alias: name for name, q in QUANTITIES.items() for alias in (name, *q.aliases)}
HOURS_PER_MONTH = 730

#: The recomputations, as (quantity, formula) for the documentation and messages.
DERIVATIONS: dict[str, str] = {
    "daily_requests": "dau x requests_per_user",
    "avg_qps": "daily_requests / 86,400 s",
    "peak_qps": "avg_qps x peak_factor",
    "target_qps": "peak_qps x scale_factor",
    "backend_qps": "load x (1 - cache_hit_rate), load = target_qps or peak_qps",
    "replicas": "ceil(load / (replica_throughput x utilisation)) when replica_throughput is "
    "stated, else ceil(load x latency / (concurrency_per_replica x utilisation)) (Little's law); "
    "load = backend_qps (stated, or derived from cache_hit_rate), else target_qps, else peak_qps; "
    "utilisation defaults to 1",
    "storage": "items_per_day x item_size x retention x replication (replication defaults to 1)",
    "bandwidth": "(target_qps or peak_qps) x payload_size x 8 bits",
    "monthly_cost": f"replicas x cost_per_replica_hour x {HOURS_PER_MONTH} h",
    "cost_per_million": "cost_per_replica_hour / (replica_throughput x utilisation) x 10^6",
    "latency_slo": "sum of the budget_* stages, which must fit within the SLO (and use half of it)",
}

_TIME_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "week": 604800.0,
    "weeks": 604800.0,
    "month": 2_592_000.0,
    "months": 2_592_000.0,
    "y": 31_536_000.0,
    "yr": 31_536_000.0,
    "year": 31_536_000.0,
    "years": 31_536_000.0,
}
_PREFIX = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15}
_BINARY = {"ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40, "pi": 2**50}
_MONEY = {"$", "usd", "dollar", "dollars", "€", "eur", "euro", "euros"}
_RATE_WORDS = {"qps": 1.0, "rps": 1.0, "tps": 1.0, "eps": 1.0}
_MULTIPLIER = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
}
_NUMBER = re.compile(
    r"(?P<num>[-+]?\d[\d,_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"(?:\s*(?P<mult>k|K|M|mn|bn|thousand|million|billion)(?![A-Za-z]))?"
)


def _unit_atom(token: str) -> tuple[str, float] | None:
    """(base, factor) of one unit word: 'ms' -> ('time', 1e-3), 'MB' -> ('bytes', 1e6)."""
    if token in _TIME_UNITS:
        return "time", _TIME_UNITS[token]
    lowered = token.lower()
    if lowered in _MONEY:
        return "money", 1.0
    if lowered in ("%", "percent"):
        return "ratio", 0.01
    if lowered in ("x", "×"):
        return "ratio", 1.0
    if lowered in _RATE_WORDS:
        return "count/s", 1.0
    match = re.fullmatch(r"([kmgtp]?i?)(b|bytes?|bits?|bps)", token, re.IGNORECASE)
    if match:
        prefix, kind = match.group(1).lower(), match.group(2)
        scale = _BINARY.get(prefix) if prefix.endswith("i") else _PREFIX.get(prefix)
        if scale is None:
            return None
        if kind.lower() == "bps":
            return "bytes/s", scale / 8
        if kind.lower().startswith("bit") or kind == "b":
            return "bytes", scale / 8
        return "bytes", scale
    if re.fullmatch(r"[A-Za-z]+", token):
        return "count", 1.0  # requests, images, events, pods ... are all counts
    return None


def _parse_unit(unit: str) -> tuple[Dim, float] | None:
    """Dimension and factor to base units of a unit text such as 'requests/day' or 'Gbit/s'."""
    text = re.sub(r"\bper\s+", "/", unit.strip())
    if not text:
        return None
    if text.startswith("$") and len(text) > 1 and text[1] not in "/ ":
        text = "$ " + text[1:]
    numerator, _, denominator = text.partition("/")
    base: str | None = None
    factor, per_time = 1.0, False
    for token in numerator.split():
        atom = _unit_atom(token)
        if atom is None:
            return None
        kind, scale = atom
        if kind.endswith("/s"):
            kind, per_time = kind[:-2], True
        if kind == "count":
            base = base or "count"
        elif base in (None, "count"):
            base = kind
        else:
            return None  # two physical units multiplied ('MB ms'): not an estimate we know
        factor *= scale
    if denominator:
        per = _TIME_UNITS.get(denominator.strip().split()[0]) if denominator.split() else None
        if per is None or per_time:
            return None
        factor /= per
        per_time = True
    base = base or "count"
    if base in ("time", "ratio") and per_time:
        return None
    return (base, per_time), factor


def _parse_value(text: str) -> tuple[float, str] | None:
    """(number, the unit text after it) of a value such as '~1.7k requests/s' or '80%'."""
    text = re.sub(r"\([^)]*\)", " ", text)  # drop remarks in parentheses
    text = text.replace("≈", "").replace("~", "").replace("about", "").strip()
    match = _NUMBER.search(text)
    if match is None or text[: match.start()].strip(" $€*`"):
        return None
    number = float(match.group("num").replace(",", "").replace("_", ""))
    if mult := match.group("mult"):
        number *= _MULTIPLIER[mult.lower()]
    before = text[: match.start()].strip(" *`")
    unit = (before + " " + text[match.end() :]).strip(" *`.,;")
    return number, unit


@dataclass(frozen=True)
class Estimate:
    """One stated estimate: ``value`` in base units (count, bytes, seconds, ratio, money; rates
    per second), ``factor`` converts back to the unit the learner wrote."""

    name: str
    value: float
    unit: str
    factor: float
    line: int
    text: str

    def shown(self, base_value: float | None = None) -> str:
        """A base-unit value in this estimate's unit, e.g. '1,736 requests/s'."""
        value = self.value if base_value is None else base_value
        number = _fmt(value / self.factor)
        if self.unit.startswith("$"):
            return f"${number}{self.unit[1:]}"
        return f"{number} {self.unit}".strip()


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def _resolve_name(raw: str) -> tuple[str, str] | None:
    """(canonical name, unit from the name's suffix) for a quantity name, or None.

    ``latency_ms`` -> ('latency', 'ms'); ``payload_kb`` -> ('payload_size', 'kB') (in a name, b
    is a byte); ``cost_per_replica_hour_usd`` -> ('cost_per_replica_hour', '$/hour').
    """
    name = raw.strip().strip("`*").strip().lower().replace("-", "_").replace(" ", "_")
    if name.startswith("budget_") and len(name) > len("budget_"):
        stem, _, suffix = name.rpartition("_")
        if suffix in _TIME_UNITS and stem != "budget":
            return stem, suffix
        return name, ""
    if name in _ALIASES:
        return _ALIASES[name], ""
    if "_" not in name:
        return None
    stem, _, suffix = name.rpartition("_")
    if stem not in _ALIASES:
        return None
    canonical = _ALIASES[stem]
    unit = {"usd": "$", "eur": "€", "pct": "%", "percent": "%"}.get(suffix, suffix)
    if re.fullmatch(r"[kmgtp]?i?b", unit):
        unit = unit[:-1] + "B"
    parsed = _parse_unit(unit)
    if parsed is None:
        return None
    (base, per_time), _ = parsed
    default = QUANTITIES[canonical].unit
    if "/" in default and not per_time and base != "time":
        unit = f"{unit}/{default.split('/', 1)[1]}"  # cost_per_replica_hour_usd: $ per hour
    return canonical, unit


_LINE = re.compile(r"^\s*(?:[-*+]\s+)?`?(?P<name>[A-Za-z][\w]*)`?\s*=\s*(?P<rest>.+?)`?\s*$")


def is_estimate_line(line: str) -> bool:
    """Whether :func:`parse_estimates` reads ``line`` as a ``name = value`` estimate of a known
    quantity (``- peak_qps = 579 x 3 = 1,736 requests/s``): data, like a table row, not prose."""
    match = _LINE.match(line)
    return bool(
        match
        and re.search(r"\d", match.group("rest").rsplit("=", 1)[-1])
        and _resolve_name(match.group("name")) is not None
    )


@dataclass(frozen=True)
class Estimates:
    """Estimates stated in a document by canonical name, plus problems reading them."""

    values: dict[str, Estimate] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def parse_estimates(text: str) -> Estimates:
    """Read the estimates stated in ``text`` (tables and ``name = value`` lines).

    Unknown names are ignored (they may be anything); a known name with a value that is not a
    number, a unit that does not fit (``latency = 3 GB``), or two different values is reported in
    :attr:`Estimates.problems`.
    """
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    values: dict[str, Estimate] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if len(cells) < 2:
                continue
            raw_name, raw_value = cells[0], cells[1]
            raw_unit = cells[2] if len(cells) > 2 else ""
        elif match := _LINE.match(line):
            raw_name, raw_value, raw_unit = match.group("name"), match.group("rest"), ""
            raw_value = raw_value.rsplit("=", 1)[-1]
            if not re.search(r"\d", raw_value):
                continue  # a formula in words, not a stated value
        else:
            continue
        resolved = _resolve_name(raw_name)
        if resolved is None:
            continue
        name, name_unit = resolved
        quantity = QUANTITIES.get(name, Quantity(TIME, "s") if name.startswith("budget_") else None)
        assert quantity is not None
        parsed = _parse_value(raw_value)
        if parsed is None:
            problems.append(f"line {number}: {raw_name} = {raw_value!r} is not a number")
            continue
        value, inline_unit = parsed
        unit = (inline_unit or raw_unit.strip("` ") or name_unit or quantity.unit).strip()
        dim_factor = _parse_unit(unit) if unit else (COUNT, 1.0)
        if dim_factor is None:
            problems.append(f"line {number}: {raw_name}: the unit {unit!r} is not understood")
            continue
        dim, factor = dim_factor
        dim, factor = _fit(dim, factor, quantity)
        if dim != quantity.dim:
            problems.append(
                f"line {number}: {raw_name} is {_describe(quantity.dim)} but {unit!r} is "
                f"{_describe(dim)}"
            )
            continue
        if quantity.dim == RATIO and not unit and value > 1 and name in _FRACTIONS:
            factor = 0.01  # 'utilisation = 60' means 60 %
        estimate = Estimate(name, value * factor, unit, factor, number, stripped)
        previous = values.get(name)
        if previous and not math.isclose(previous.value, estimate.value, rel_tol=1e-6):
            problems.append(
                f"line {number}: {name} is stated twice with different values "
                f"({previous.shown()} on line {previous.line}, {estimate.shown()} here)"
            )
            continue
        values[name] = estimate
    return Estimates(values, tuple(problems))


_FRACTIONS = {"utilisation", "cache_hit_rate"}


def _fit(dim: Dim, factor: float, quantity: Quantity) -> tuple[Dim, float]:
    """Reconcile a written unit with the quantity: a plain count for a rate takes the quantity's
    default time base ('50M requests' as daily_requests is per day), a count for a ratio or an
    amount of money is that ratio or amount."""
    if dim == COUNT and quantity.dim in (RATE, MONEY_RATE):
        per = _TIME_UNITS[quantity.unit.split("/", 1)[1]]
        return quantity.dim, factor / per
    if dim == COUNT and quantity.dim in (RATIO, MONEY):
        return quantity.dim, factor
    if dim == MONEY and quantity.dim == MONEY_RATE:
        per = _TIME_UNITS[quantity.unit.split("/", 1)[1]]
        return MONEY_RATE, factor / per
    return dim, factor


def _describe(dim: Dim) -> str:
    base, per_time = dim
    names = {
        "count": "a count",
        "bytes": "a size in bytes",
        "time": "a duration",
        "ratio": "a ratio",
        "money": "an amount of money",
    }
    return names[base] + (" per unit of time" if per_time else "")


@dataclass(frozen=True)
class EstimateCheck:
    """A stated estimate compared with its recomputation from the other stated numbers."""

    name: str
    stated: Estimate
    expected: float  # base units
    working: str  # the formula with the numbers put in
    ok: bool
    tolerance: float = TOLERANCE  # the factor either way that was accepted

    @property
    def ratio(self) -> float:
        if self.expected == 0:
            return math.inf if self.stated.value else 1.0
        return self.stated.value / self.expected

    def message(self) -> str:
        if self.name == "latency_slo":
            return (
                f"latency budget (line {self.stated.line}): the budget_* stages add up to "
                f"{self.stated.shown(self.expected)} for an SLO of {self.stated.shown()}; the "
                "stages must fit within the SLO and account for at least half of it"
            )
        off = self.ratio if self.ratio >= 1 else 1 / self.ratio if self.ratio else math.inf
        return (
            f"{self.name} (line {self.stated.line}): you wrote {self.stated.shown()}, but "
            f"{self.working} = {self.stated.shown(self.expected)} (off by {off:.1f}x; within "
            f"{self._accepted()} is accepted)"
        )

    def _accepted(self) -> str:
        if self.tolerance >= 1.5:
            return f"{self.tolerance:g}x"
        return f"{self.tolerance - 1:.0%} (the formula is exact: only rounding may differ)"


def check_estimates(estimates: Estimates, tolerance: float = TOLERANCE) -> list[EstimateCheck]:
    """Recompute every derivable estimate (see :data:`DERIVATIONS`) from the stated inputs.

    Each quantity is recomputed from the *stated* values of its inputs when they are stated (so
    a mistake is flagged where it is made, not again downstream), or from their recomputed values
    when they are not stated. Only stated quantities are checked. A check is ok when the stated
    value is within a factor ``tolerance`` of the recomputed one either way (default
    :data:`TOLERANCE`, 2x, for back-of-the-envelope estimates; an exercise that gives the exact
    formula may pass e.g. 1.1, i.e. rounding only). The latency budget check ignores it.
    """
    stated = {name: e.value for name, e in estimates.values.items()}
    known = dict(stated)  # stated values, completed with recomputed ones
    expected: dict[str, tuple[float, str]] = {}

    def derive(name: str, value: float | None, working: str) -> None:
        if value is None:
            return
        expected[name] = (value, working)
        known.setdefault(name, value)

    e = estimates.values

    def show(name: str) -> str:
        if name in e:
            return e[name].shown()
        return _fmt(known[name])

    if {"dau", "requests_per_user"} <= known.keys():
        derive(
            "daily_requests",
            known["dau"] * known["requests_per_user"] / 86400,
            f"dau x requests_per_user = {show('dau')} x {show('requests_per_user')} per day",
        )
    if "daily_requests" in known:
        derive("avg_qps", known["daily_requests"], f"daily_requests / 86,400 s (from {_sd(e)})")
    if {"avg_qps", "peak_factor"} <= known.keys():
        derive(
            "peak_qps",
            known["avg_qps"] * known["peak_factor"],
            f"avg_qps x peak_factor = {_fmt(known['avg_qps'])}/s x {_fmt(known['peak_factor'])}",
        )
    if {"peak_qps", "scale_factor"} <= known.keys():
        derive(
            "target_qps",
            known["peak_qps"] * known["scale_factor"],
            f"peak_qps x scale_factor = {_fmt(known['peak_qps'])}/s x "
            f"{_fmt(known['scale_factor'])}",
        )
    load_name = next((n for n in ("target_qps", "peak_qps") if n in known), None)
    if load_name and "cache_hit_rate" in known:
        derive(
            "backend_qps",
            known[load_name] * (1 - known["cache_hit_rate"]),
            f"{load_name} x (1 - cache_hit_rate) = {_fmt(known[load_name])}/s x "
            f"(1 - {_fmt(known['cache_hit_rate'])})",
        )
    serve_name = next((n for n in ("backend_qps", "target_qps", "peak_qps") if n in known), None)
    utilisation = known.get("utilisation", 1.0)
    if serve_name and "replica_throughput" in known:
        capacity = known["replica_throughput"] * utilisation
        if capacity > 0:
            derive(
                "replicas",
                math.ceil(known[serve_name] / capacity - 1e-9),
                f"ceil({serve_name} / (replica_throughput x utilisation)) = "
                f"ceil({_fmt(known[serve_name])}/s / ({_fmt(known['replica_throughput'])}/s x "
                f"{_fmt(utilisation)}))",
            )
    elif serve_name and {"latency", "concurrency_per_replica"} <= known.keys():
        per_replica = known["concurrency_per_replica"] * utilisation
        if per_replica > 0:
            derive(
                "replicas",
                math.ceil(known[serve_name] * known["latency"] / per_replica - 1e-9),
                f"ceil({serve_name} x latency / (concurrency_per_replica x utilisation)) = "
                f"ceil({_fmt(known[serve_name])}/s x {_fmt(known['latency'])} s / "
                f"({_fmt(known['concurrency_per_replica'])} x {_fmt(utilisation)}))",
            )
    if {"items_per_day", "item_size", "retention"} <= known.keys():
        replication = known.get("replication", 1.0)
        derive(
            "storage",
            known["items_per_day"] * known["item_size"] * known["retention"] * replication,
            f"items_per_day x item_size x retention x replication = {show('items_per_day')} x "
            f"{show('item_size')} x {show('retention')} x {_fmt(replication)}",
        )
    if load_name and "payload_size" in known:
        derive(
            "bandwidth",
            known[load_name] * known["payload_size"],
            f"{load_name} x payload_size x 8 bits = {_fmt(known[load_name])}/s x "
            f"{show('payload_size')} x 8",
        )
    if {"replicas", "cost_per_replica_hour"} <= known.keys():
        derive(
            "monthly_cost",
            known["replicas"] * known["cost_per_replica_hour"] * HOURS_PER_MONTH * 3600,
            f"replicas x cost_per_replica_hour x {HOURS_PER_MONTH} h = {_fmt(known['replicas'])}"
            f" x {show('cost_per_replica_hour')} x {HOURS_PER_MONTH}",
        )
    if {"cost_per_replica_hour", "replica_throughput"} <= known.keys():
        served = known["replica_throughput"] * utilisation
        if served > 0:
            derive(
                "cost_per_million",
                known["cost_per_replica_hour"] / served * 1e6,
                f"cost_per_replica_hour / (replica_throughput x utilisation) x 10^6 = "
                f"{show('cost_per_replica_hour')} / ({_fmt(known['replica_throughput'])}/s x "
                f"{_fmt(utilisation)}) x 10^6",
            )

    checks = []
    for name, (value, working) in expected.items():
        if name not in e:
            continue
        ratio = e[name].value / value if value else (math.inf if e[name].value else 1.0)
        ok = 1 / tolerance <= ratio <= tolerance
        checks.append(EstimateCheck(name, e[name], value, working, ok, tolerance))
    budgets = {n: v for n, v in e.items() if n.startswith("budget_")}
    if budgets and "latency_slo" in e:
        total = sum(b.value for b in budgets.values())
        slo = e["latency_slo"].value
        working = " + ".join(f"{n.removeprefix('budget_')} {b.shown()}" for n, b in budgets.items())
        checks.append(
            EstimateCheck(
                "latency_slo", e["latency_slo"], total, working, 0.5 * slo <= total <= slo
            )
        )
    return checks


def _sd(e: dict[str, Estimate]) -> str:
    return e["daily_requests"].shown() if "daily_requests" in e else "dau x requests_per_user"


#: Quantities that are shares of a whole (0 to 100 %).
_SHARES = ("utilisation", "cache_hit_rate")


def impossible_values(estimates: Estimates) -> list[str]:
    """Stated values no system can have, one message each: a negative quantity, a zero
    throughput, price or model size, or a share (utilisation, cache hit rate) above 100 %.

    :func:`check_estimates` recomputes numbers from each other, so a consistent set of
    impossible inputs (a 140 % utilisation and the cost it implies) passes there; this is the
    sanity check to run beside it.
    """
    problems = []
    for name, estimate in estimates.values.items():
        if estimate.value < 0:
            problems.append(f"{name} (line {estimate.line}) is negative: {estimate.shown()}")
        elif name in _SHARES and estimate.value > 1 + 1e-9:
            problems.append(
                f"{name} (line {estimate.line}) is {estimate.value:.0%}: a share of capacity "
                "or of requests cannot exceed 100 %"
            )
        elif estimate.value == 0 and name in (
            "replica_throughput",
            "cost_per_replica_hour",
            "model_size",
            "utilisation",
        ):
            problems.append(f"{name} (line {estimate.line}) is 0: state the measured value")
    return problems
