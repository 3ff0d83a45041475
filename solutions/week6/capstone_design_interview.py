"""Capstone: system design interview readiness (solution): estimates via the estimation drills."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path

from solutions.week6 import capacity_estimation as estimation

__all__ = ["PORTFOLIO", "reproduce_estimates"]

#: Found through the package, not ``__file__``, so that an edited copy of this module imported
#: from elsewhere (a grader mutant) reads the same portfolio.
PORTFOLIO: Path = Path(import_module(__package__).__file__).resolve().parent / "portfolio"


def reproduce_estimates(stated: Mapping[str, float]) -> dict[str, float]:
    """Recompute a design's derived estimates from its stated inputs (see the stub)."""
    out: dict[str, float] = {}
    peak_factor = stated.get("peak_factor", 3.0)
    if "dau" in stated and "requests_per_user" in stated:
        out["daily_requests"] = stated["dau"] * stated["requests_per_user"]
        daily = out["daily_requests"]
    else:
        daily = stated.get("daily_requests")
    if daily is not None:
        out["avg_qps"] = estimation.average_qps(daily)
        out["peak_qps"] = estimation.peak_qps(daily, peak_factor)
        load = out["peak_qps"]
        if "cache_hit_rate" in stated:
            out["backend_qps"] = load = estimation.backend_qps(load, stated["cache_hit_rate"])
        if "latency" in stated and "concurrency_per_replica" in stated:
            out["replicas"] = estimation.servers_needed(
                load,
                stated["latency"],
                int(stated["concurrency_per_replica"]),
                stated.get("utilisation", 1.0),
            )
        if "payload_size" in stated:
            out["bandwidth"] = estimation.bandwidth(out["peak_qps"], stated["payload_size"])
    if "items_per_day" in stated and "item_size" in stated:
        per_year = estimation.storage_per_year(
            stated["items_per_day"], stated["item_size"], int(stated.get("replication", 1))
        )
        out["storage"] = per_year * stated.get("retention", 365.0) / 365.0
    return out
