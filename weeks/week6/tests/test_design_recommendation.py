"""Tests of week6.design_recommendation: a recommendation system.

Your design is read by ``grader.design_judge``: every section of the template written (more than
a one-liner), a Mermaid architecture diagram that parses and names the main components, the key
concepts of the prompt, estimates stated in the structured form (a table ``| quantity | value |
unit |`` or lines ``name = value unit``) that still hold when recomputed, and at least three
explicit trade-offs. The quality of the argument is your mentor's rubric, not these tests.
Run: ``pytest weeks/week6/tests/test_design_recommendation.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import design_judge
from grader.written import Document, load

RUBRIC = design_judge.RUBRICS["recommendation"]
REQUIRED_ESTIMATES = ("daily_requests", "peak_qps", "replicas", "latency_slo")
COMPARISON = re.compile(r"\bvs\.?(?!\w)|\bversus\b|\bover\b|\binstead of\b|\brather than\b", re.I)
FORMAT = (
    "state each as a table row `| peak_qps | 1,736 | requests/s |` or a line `peak_qps = 1736 "
    "requests/s` (the names the judge knows are in grader/design_judge.py, QUANTITIES)"
)


@pytest.fixture
def document(target_path: Path) -> Document:
    return load(target_path)


@pytest.fixture
def judgement(document: Document) -> design_judge.Judgement:
    return design_judge.judge(document, RUBRIC)


def test_every_template_section_is_written(judgement: design_judge.Judgement) -> None:
    problems = [
        f"- no section for {name!r} (a `## ` heading containing one of "
        f"{', '.join(repr(s) for s in (name, *RUBRIC.sections[name]))})"
        for name in judgement.sections.missing
    ]
    problems += [
        f"- section {judgement.sections.found[name]!r} has only {count} words: write at least "
        f"{RUBRIC.min_section_words} (what you decide, and why)"
        for name, count in judgement.thin.items()
    ]
    assert not problems, "sections of the design template to write:\n" + "\n".join(problems)


def test_architecture_diagram_parses(judgement: design_judge.Judgement) -> None:
    assert not judgement.diagram_errors, (
        "your Mermaid diagram does not parse (paste it into https://mermaid.live to see it):\n"
        + "\n".join(judgement.diagram_errors)
    )
    assert judgement.diagrams, (
        "no architecture diagram: add a ```mermaid block with a `flowchart LR` of the serving path "
        "and the training/feedback path"
    )


def test_diagram_names_the_main_components(judgement: design_judge.Judgement) -> None:
    if not judgement.diagrams:
        pytest.fail("no parsable Mermaid diagram to check (see test_architecture_diagram_parses)")
    missing = [
        f"- {name} (a node label containing one of: "
        f"{', '.join(repr(s) for s in (name, *RUBRIC.components[name]))})"
        for name in judgement.components.missing
    ]
    labels = ", ".join(sorted(judgement.diagrams[0].labels()))
    assert not missing, (
        "components an interviewer expects to see in the diagram but cannot find:\n"
        + "\n".join(missing)
        + f"\nyour node labels: {labels}"
    )


def test_key_concepts_are_discussed(judgement: design_judge.Judgement) -> None:
    missing = [
        f"- {name} (or: {', '.join(RUBRIC.concepts[name]) or name})"
        for name in judgement.concepts.missing
    ]
    assert not missing, (
        f"{len(missing)} concept(s) this prompt is about are never mentioned; say where each "
        "fits in your design (or why it does not):\n" + "\n".join(missing)
    )


def test_estimates_are_stated(judgement: design_judge.Judgement) -> None:
    assert not judgement.estimates.problems, "some estimates could not be read:\n" + "\n".join(
        judgement.estimates.problems
    )
    missing = [name for name in REQUIRED_ESTIMATES if name not in judgement.estimates.values]
    assert not missing, (
        f"estimates not found: {', '.join(missing)}; {FORMAT}. Found: "
        f"{', '.join(judgement.estimates.values) or 'none'}"
    )


def test_estimates_hold_when_recomputed(judgement: design_judge.Judgement) -> None:
    wrong = [check.message() for check in judgement.wrong_estimates]
    assert judgement.checks, f"no estimate could be recomputed; {FORMAT}"
    assert not wrong, "estimates that do not follow from your other numbers:\n" + "\n".join(
        f"- {w}" for w in wrong
    )


def test_at_least_three_explicit_trade_offs(document: Document) -> None:
    body = document.section("trade-off", *RUBRIC.sections["trade-offs"])
    assert body is not None, "no `## Trade-offs` section"
    entries = design_judge.items(body)
    explicit = [e for e in entries if len(e.split()) >= 12 and COMPARISON.search(e)]
    assert len(explicit) >= 3, (
        f"found {len(explicit)} explicit trade-off(s) in {len(entries)} list item(s) of the "
        "Trade-offs section; write at least 3, one list item each, naming both options (`A vs B`, "
        "`A over B`, `A instead of B`), what you chose and why, in 12 words or more"
    )


FUNNEL = ("catalogue_size", "candidates_retrieved", "candidates_ranked", "results_shown")


def test_funnel_narrows_at_every_stage(judgement: design_judge.Judgement) -> None:
    values = judgement.estimates.values
    missing = [name for name in FUNNEL if name not in values]
    assert not missing, f"state the funnel sizes {', '.join(missing)}; {FORMAT}"
    sizes = [values[name].value for name in FUNNEL]
    assert all(a > b for a, b in zip(sizes, sizes[1:], strict=False)), (
        "each stage of the funnel must keep fewer items than the one before: "
        + " -> ".join(f"{name} {size:,.0f}" for name, size in zip(FUNNEL, sizes, strict=True))
    )
    assert sizes[1] <= sizes[0] / 100, (
        f"retrieval should cut the catalogue by orders of magnitude (millions -> hundreds or "
        f"thousands); you keep {sizes[1]:,.0f} of {sizes[0]:,.0f}"
    )


def test_latency_budget_per_stage_fits_the_slo(judgement: design_judge.Judgement) -> None:
    values = judgement.estimates.values
    stages = [name for name in values if name.startswith("budget_")]
    for needed in ("retrieval", "ranking"):
        assert any(needed in name for name in stages), (
            f"give the {needed} stage its latency budget (e.g. `budget_{needed}_ms = 20`); "
            f"stages found: {', '.join(stages) or 'none'}"
        )
    check = next((c for c in judgement.checks if c.name == "latency_slo"), None)
    assert check is not None, "state the end-to-end SLO as latency_slo (e.g. latency_slo_ms = 100)"
    assert check.ok, check.message()
