"""Tests of week6.failure_plans: failure modes, detection and mitigation for every component.

The plan holds a Markdown table with one row per component (API, predictor, Redis, PostgreSQL,
broker, model registry, feature store, region) and the columns failure modes, blast radius,
detection (alert), automatic mitigation and runbook; every detection names an alert or metric in
backticks; code references point to files that exist; a section covers the ML-specific,
silent failures, each in its own item with the detector that notices it; and the principles
state timeouts, retries with backoff, circuit breakers and the degradation order.
Run: ``pytest weeks/week6/tests/test_failure_plans.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import design_judge
from grader.writing import WritingTests
from grader.written import Document, load, table_with_columns

COMPONENTS = {
    "API": ("api", "fastapi", "gateway"),
    "predictor": ("predictor", "model server", "inference"),
    "Redis": ("redis", "cache"),
    "PostgreSQL": ("postgresql", "postgres", "database"),
    "broker": ("broker", "kafka", "redis streams"),
    "model registry": ("registry", "mlflow"),
    "feature store": ("feature store", "online store"),
    "region": ("region", "zone"),
}
COLUMNS = {
    "component": ("component", "dependency"),
    "failure modes": ("failure", "failure mode"),
    "blast radius": ("blast radius", "impact"),
    "detection": ("detection", "alert", "detect"),
    "mitigation": ("mitigation", "automatic", "fallback"),
    "runbook": ("runbook", "manual"),
}
ML_FAILURES = {
    "silent drift": ("drift",),
    "bad model promoted": ("bad model", "regression", "promoted"),
    "label pipeline stalled": ("label pipeline", "labels", "label freshness", "review queue"),
}
ML_DETECTORS = {
    "drift monitor": ("drift monitor", "psi", "mmd", "input drift"),
    "canary metrics": ("canary", "shadow"),
    "delayed-label accuracy": ("delayed label", "label freshness", "online accuracy"),
}
#: failure -> the detectors the template names for it (and their usual spellings)
ML_PAIRS = {
    "silent drift": ML_DETECTORS["drift monitor"] + ("drift detector", "embedding drift"),
    "bad model promoted": ML_DETECTORS["canary metrics"] + ("promotion gate", "gate"),
    "label pipeline stalled": ML_DETECTORS["delayed-label accuracy"] + ("label lag",),
}
PRINCIPLES = {
    "timeouts": ("timeout", "time out", "deadline"),
    "retries with backoff": ("backoff", "back off", "back-off"),
    "circuit breakers": ("circuit breaker", "breaker"),
    "degradation order": ("degradation", "degrade", "graceful degradation", "fallback order"),
}
#: An alert or metric name: CamelCase (RxVisionApiErrorRate), snake_case
#: (http_requests_total) or dotted (api.latency.p99), inside a backticked span.
ALERT_NAME = re.compile(
    r"[A-Za-z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[A-Za-z][A-Za-z0-9]*(?:[_.:][A-Za-z0-9]+)+"
)
EMPTY = {"", "-", "--", "n/a", "todo", "?", "tbd", "..."}
CODE_REF = re.compile(r"`((?:rxvision|weeks|grader|deploy|solutions)/[\w./-]+\.\w+)`")


def _items(body: str) -> list[str]:
    """Paragraphs and list items of a section body (a list item ends at the next item or a blank
    line; text after a blank line is a new paragraph, not part of the item above); a ``###``
    heading and everything under it up to the next heading is one item."""
    found: list[list[str]] = []
    blank = heading = True
    for line in body.splitlines():
        if re.match(r"\s{0,3}#{3,}\s", line):
            found.append([line.strip()])
            heading, blank = True, False
            continue
        if not line.strip():
            blank = True
            continue
        starts_item = blank or re.match(r"\s{0,3}(?:[-*+]|\d+[.)])\s", line)
        if starts_item and not (heading and found):
            found.append([])
            heading = False
        if not found:
            found.append([])
        found[-1].append(line.strip())
        blank = False
    return [" ".join(item) for item in found]


@pytest.fixture
def document(target_path: Path) -> Document:
    return load(target_path)


def _column_map(header: list[str]) -> dict[str, int]:
    found = {}
    for name, synonyms in COLUMNS.items():
        for index, cell in enumerate(header):
            if index not in found.values() and design_judge.find_terms(cell, {name: synonyms}).ok:
                found[name] = index
                break
    return found


@pytest.fixture
def table(document: Document) -> tuple[dict[str, int], list[list[str]]]:
    return table_with_columns(document.text, _column_map)


def _rows_by_component(rows: list[list[str]], column: int) -> dict[str, list[str]]:
    found = {}
    for name, synonyms in COMPONENTS.items():
        for row in rows:
            if column < len(row) and design_judge.find_terms(row[column], {name: synonyms}).ok:
                found[name] = row
                break
    return found


@pytest.mark.clause("table-columns")
def test_failure_table_has_the_columns(table: tuple[dict[str, int], list[list[str]]]) -> None:
    columns, rows = table
    missing = [name for name in COLUMNS if name not in columns]
    assert not missing and rows, (
        "write the plan as a Markdown table `| Component | Failure modes | Blast radius | "
        "Detection (alert) | Automatic mitigation | Runbook |` with one row per component; "
        f"columns not found: {', '.join(missing) or 'none'}"
    )


@pytest.mark.clause("component-rows")
def test_every_component_has_a_row(table: tuple[dict[str, int], list[list[str]]]) -> None:
    columns, rows = table
    found = _rows_by_component(rows, columns.get("component", 0))
    missing = [name for name in COMPONENTS if name not in found]
    assert not missing, (
        f"components without a row in the failure table: {', '.join(missing)} (name the "
        "component in the first column)"
    )


@pytest.mark.clause("component-rows")
def test_every_component_has_its_own_row(table: tuple[dict[str, int], list[list[str]]]) -> None:
    """A row belongs to the component its name (the text before any parenthesis) names; the
    parenthesis counts only for rows whose name names no component, so `Feature store (online,
    Redis)` is the feature store's row and does not stand in for a missing Redis row."""
    columns, rows = table
    column = columns.get("component", 0)
    cells = [row[column] if column < len(row) else "" for row in rows]
    owner: dict[str, int] = {}
    for name, synonyms in COMPONENTS.items():
        for index, cell in enumerate(cells):
            if design_judge.find_terms(cell.split("(")[0], {name: synonyms}).ok:
                owner[name] = index
                break
    claimed = set(owner.values())
    for name, synonyms in COMPONENTS.items():
        if name in owner:
            continue
        for index, cell in enumerate(cells):
            if index not in claimed and design_judge.find_terms(cell, {name: synonyms}).ok:
                owner[name] = index
                break
    missing = [name for name in COMPONENTS if name not in owner]
    assert not missing, (
        f"components without a row of their own in the failure table: {', '.join(missing)}. "
        "A row counts for the component its name names: `Feature store (online, Redis)` is the "
        "feature store's row, so Redis needs its own row (what happens when it is slow, down or "
        "returns garbage)"
    )


@pytest.mark.clause("cells-filled")
def test_every_cell_is_filled(table: tuple[dict[str, int], list[list[str]]]) -> None:
    columns, rows = table
    found = _rows_by_component(rows, columns.get("component", 0))
    empty = [
        f"{component} / {name}"
        for component, row in found.items()
        for name, index in columns.items()
        if index >= len(row) or row[index].strip().lower() in EMPTY
    ]
    assert not empty, f"fill these cells of the failure table: {', '.join(empty)}"


@pytest.mark.clause("detection-alert")
def test_detection_names_an_alert_or_metric(table: tuple[dict[str, int], list[list[str]]]) -> None:
    columns, rows = table
    if "detection" not in columns:
        pytest.fail("no Detection column in the failure table")
    found = _rows_by_component(rows, columns.get("component", 0))
    vague = [
        component
        for component, row in found.items()
        if columns["detection"] >= len(row)
        or not any(
            ALERT_NAME.search(span) for span in re.findall(r"`([^`]+)`", row[columns["detection"]])
        )
    ]
    assert not vague, (
        "every detection must name the alert (or metric) that fires, in backticks, e.g. "
        "`RxVisionApiErrorRate` or `http_requests_total` (a symptom such as `users see errors` "
        f"is not an alert name); no alert named for: {', '.join(vague)}"
    )


@pytest.mark.clause("code-refs")
def test_code_references_exist(document: Document, target_path: Path, rx_root: Path) -> None:
    refs = sorted(set(CODE_REF.findall(document.text)))
    assert len(refs) >= 3, (
        "point to the code that implements the mitigations (at least 3 references in backticks, "
        f"such as `rxvision/serving/cache.py`); found {refs or 'none'}"
    )
    roots = {rx_root, *target_path.resolve().parents}
    missing = [ref for ref in refs if not any((root / ref).is_file() for root in roots)]
    assert not missing, f"these referenced files do not exist: {', '.join(missing)}"


@pytest.mark.clause("ml-detectors")
def test_ml_specific_failures_have_detectors(document: Document) -> None:
    body = document.section("ml", "machine learning", "model failures", "silent")
    assert body is not None, (
        "add a `## ML-specific failures` section: ML systems fail silently (a bad model returns "
        "200 OK)"
    )
    failures = design_judge.find_terms(body, ML_FAILURES)
    detectors = design_judge.find_terms(body, ML_DETECTORS)
    assert failures.ok and detectors.ok, (
        "the ML-specific section must cover silent drift, a bad model promoted and a stalled label "
        "pipeline, each with the detector that notices it; missing: "
        + ", ".join([*failures.missing, *(f"detector: {d}" for d in detectors.missing)])
    )


@pytest.mark.clause("ml-detectors")
def test_each_ml_failure_is_paired_with_its_detector(document: Document) -> None:
    body = document.section("ml", "machine learning", "model failures", "silent") or ""
    items = _items(body)
    unpaired = []
    for failure, detectors in ML_PAIRS.items():
        paired = False
        for item in items:
            named = design_judge.find_terms(item, ML_FAILURES)
            if failure in named.found and len(named.found) < len(ML_FAILURES):
                paired |= design_judge.find_terms(item, {detectors[0]: detectors[1:]}).ok
        if not paired:
            unpaired.append(f"{failure} ({' / '.join(detectors[:3])})")
    assert not unpaired, (
        "in `## ML-specific failures`, give each silent failure its own paragraph or list item "
        "that names the detector noticing it (a closing list of all detectors does not say which "
        f"catches which); no detector next to: {', '.join(unpaired)}"
    )


@pytest.mark.clause("principles")
def test_principles_cover_timeouts_retries_breakers_degradation(document: Document) -> None:
    body = document.section("principle")
    assert body is not None, "add a `## Principles` section"
    missing = design_judge.find_terms(body, PRINCIPLES).missing
    assert not missing, (
        "`## Principles` must state your rules for timeouts, retries with backoff, circuit "
        f"breakers and the degradation order; missing: {', '.join(missing)}"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
