"""Tests of week6.constraint_optimization: RxVision25 optimised for four constraints.

Four sections (On-device, Latency, Cost, Accuracy), each with its levers, the chosen configuration
and what you give up, labelled at the start of a line, grounded in your own benchmark numbers.
The constraints are checked on the numbers you state: ``model_size`` within 50 MB on the device,
``p99_latency`` within 30 ms, and ``cost_per_million`` recomputed from ``cost_per_replica_hour``,
``replica_throughput`` and ``utilisation``.
Run: ``pytest weeks/week6/tests/test_constraint_optimization.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import design_judge
from grader.estimates import Estimate, check_estimates, parse_estimates
from grader.written import Document, load, words

SECTIONS = {
    "on-device": ("on device", "device", "mobile", "edge"),
    "latency": ("latency",),
    "cost": ("cost",),
    "accuracy": ("accuracy",),
}
PARTS = {
    "Levers": ("levers", "options", "knobs"),
    "Choice": ("choice", "chosen", "configuration", "decision"),
    "Give up": ("give up", "what i give up", "cost of it", "trade off", "trade-off"),
}
LEVERS = {
    "distillation": ("distil", "distill", "distilled", "distillation"),
    "quantisation": ("quantization", "int8"),
    "pruning": ("pruned", "prune"),
    "resolution": ("px", "input size"),
    "batching": ("batch", "dynamic batching"),
    "ensembles": ("ensemble",),
    "abstention": ("abstain", "abstaining", "human review", "pharmacist review"),
}
MEASUREMENT = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:%|ms\b|MB\b|GB\b|px\b|x\b|requests/s|\$)|\$\d")
MIN_WORDS = 40


@pytest.fixture
def document(target_path: Path) -> Document:
    return load(target_path)


def _section(document: Document, key: str) -> str:
    body = document.section(*SECTIONS[key])
    if body is None:
        pytest.fail(
            f"no section for the {key} constraint: add a `## ` heading containing "
            f"{' or '.join(repr(s) for s in SECTIONS[key])}"
        )
    return body


def _has_part(body: str, synonyms: tuple[str, ...]) -> bool:
    for line in body.splitlines():
        start = re.sub(r"^\s*(?:[-*+]\s+)?(?:#+\s*)?[*_]*", "", line).lower()
        if any(start.startswith(s) for s in synonyms):
            return True
    return False


@pytest.mark.parametrize("key", SECTIONS)
def test_each_constraint_has_levers_choice_and_give_up(document: Document, key: str) -> None:
    body = _section(document, key)
    assert words(body) >= MIN_WORDS, (
        f"the {key} section has {words(body)} words; write at least {MIN_WORDS}"
    )
    missing = [part for part, syn in PARTS.items() if not _has_part(body, syn)]
    assert not missing, (
        f"the {key} section needs each part on a line starting with its label "
        f"(`**Levers:**`, `**Choice:**`, `**Give up:**`); missing: {', '.join(missing)}"
    )


@pytest.mark.parametrize("key", SECTIONS)
def test_each_constraint_cites_measurements(document: Document, key: str) -> None:
    found = MEASUREMENT.findall(_section(document, key))
    assert len(found) >= 2, (
        f"ground the {key} answer in at least 2 numbers from your own benchmarks (ms, MB, %, $, "
        f"requests/s); found {len(found)}"
    )


def _estimate(document: Document, key: str, name: str) -> Estimate:
    estimates = parse_estimates(_section(document, key))
    assert not estimates.problems, "\n".join(estimates.problems)
    if name not in estimates.values:
        pytest.fail(
            f"state {name} in the {key} section (a line `{name} = ...` with its unit, or a table "
            f"row `| {name} | ... | ... |`)"
        )
    return estimates.values[name]


def test_on_device_model_fits_in_50_mb(document: Document) -> None:
    size = _estimate(document, "on-device", "model_size")
    assert size.value <= 50e6, (
        f"the on-device budget is 50 MB; your model_size is {size.shown()} (line {size.line}): "
        "distil, quantise or prune until it fits"
    )


def test_latency_choice_meets_the_30_ms_p99(document: Document) -> None:
    p99 = _estimate(document, "latency", "p99_latency")
    assert p99.value <= 0.030, (
        f"the constraint is p99 under 30 ms; your chosen configuration's p99_latency is "
        f"{p99.shown()} (line {p99.line})"
    )


def test_cost_per_million_holds_when_recomputed(document: Document) -> None:
    body = _section(document, "cost")
    _estimate(document, "cost", "cost_per_million")
    checks = {c.name: c for c in check_estimates(parse_estimates(body))}
    check = checks.get("cost_per_million")
    assert check is not None, (
        "state cost_per_replica_hour, replica_throughput (measured requests/s per replica) and "
        "utilisation in the cost section so cost_per_million can be recomputed"
    )
    assert check.ok, check.message()


def test_the_levers_are_named(document: Document) -> None:
    missing = design_judge.find_terms(document.text, LEVERS).missing
    assert not missing, (
        "levers never discussed: "
        + ", ".join(f"{name} ({' / '.join(LEVERS[name])})" for name in missing)
        + "; say what each one moves and what it costs"
    )
