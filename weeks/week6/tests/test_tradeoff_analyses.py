"""Tests of week6.tradeoff_analyses: the trade-offs interviewers probe, grounded in measurements.

Each `## ` section is one analysis. At least six of the seven topics must be written, each with
the four parts labelled at the start of a line (**Options**, **Criteria**, **Decision**,
**Revisit when**) and at least one number with a unit from your own RxVision25 measurements.
Run: ``pytest weeks/week6/tests/test_tradeoff_analyses.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import design_judge
from grader.written import Document, load, words

MIN_ANALYSES = 6
MIN_WORDS = 60
TOPICS = {
    "batch vs online inference": ("batch", "online inference"),
    "CNN vs ViT": ("cnn", "vit", "transformer"),
    "ensemble vs single calibrated model": ("ensemble", "calibrated"),
    "REST vs gRPC": ("grpc", "rest"),
    "cache or not": ("cache", "caching"),
    "consistency vs availability": ("consistency", "availability", "cap"),
    "build vs buy (model registry)": ("build", "buy", "registry"),
}
PARTS = {
    "Options": ("options", "alternatives"),
    "Criteria": ("criteria", "what matters"),
    "Decision": ("decision", "choice", "chosen", "i chose"),
    "Revisit when": ("revisit", "would change", "change it when", "switch when", "flip"),
}
MEASUREMENT = re.compile(
    r"\d[\d,]*(?:\.\d+)?\s*(?:%|ms\b|s\b|µs\b|x\b|pt\b|points?\b|[KMG]B\b|kB\b|"
    r"(?:requests|req|images|predictions|items|events)/s\b|epochs?\b|MB/s|Gbit/s)"
)


@pytest.fixture
def document(target_path: Path) -> Document:
    return load(target_path)


def _analyses(document: Document) -> dict[str, str]:
    """Written analyses: heading -> body, for sections with at least MIN_WORDS words."""
    return {h: b for h, b in document.sections.items() if words(b) >= MIN_WORDS}


def _has_part(body: str, synonyms: tuple[str, ...]) -> bool:
    for line in body.splitlines():
        start = re.sub(r"^\s*(?:[-*+]\s+)?(?:#+\s*)?[*_]*", "", line).lower()
        if any(start.startswith(s) for s in synonyms):
            return True
    return False


def test_at_least_six_analyses_are_written(document: Document) -> None:
    written = _analyses(document)
    thin = {h: words(b) for h, b in document.sections.items() if h not in written}
    assert len(written) >= MIN_ANALYSES, (
        f"{len(written)} analyses have {MIN_WORDS}+ words; write at least {MIN_ANALYSES}. "
        f"Too short: {', '.join(f'{h!r} ({n} words)' for h, n in thin.items()) or 'none'}"
    )


def test_analyses_cover_the_interview_topics(document: Document) -> None:
    headings = "\n".join(_analyses(document))
    missing = design_judge.find_terms(headings, TOPICS).missing
    assert len(missing) <= len(TOPICS) - MIN_ANALYSES, (
        f"topics without a written analysis: {', '.join(missing)} (name the topic in the `## ` "
        f"heading, e.g. '## REST vs gRPC'); cover at least {MIN_ANALYSES} of the {len(TOPICS)}"
    )


def test_each_analysis_has_the_four_parts(document: Document) -> None:
    problems = []
    for heading, body in _analyses(document).items():
        missing = [part for part, syn in PARTS.items() if not _has_part(body, syn)]
        if missing:
            problems.append(f"- {heading!r}: no {', '.join(missing)}")
    assert not problems, (
        "start a line of each part with its label, e.g. `**Decision:** ...`, "
        "`**Revisit when:** ...`:\n" + "\n".join(problems)
    )


def test_each_analysis_cites_a_measurement(document: Document) -> None:
    bare = [h for h, b in _analyses(document).items() if not MEASUREMENT.search(b)]
    assert not bare, (
        "ground each analysis in a number you measured on RxVision25 (e.g. '21 ms vs 34 ms per "
        f"image', 'ECE 6.1 % -> 1.9 %'); no measurement with a unit in: {', '.join(bare)}"
    )


def test_each_decision_says_what_would_change_it(document: Document) -> None:
    short = []
    for heading, body in _analyses(document).items():
        match = re.search(
            r"(?im)^\s*[*_]*(?:revisit|would change|change it when|switch when|flip)[^\n]*"
            r"(?:\n(?!\s*$)[^\n]*)*",
            body,
        )
        if match is not None and words(match.group()) < 12:
            short.append(heading)
    assert not short, (
        "'Revisit when' must name the signal that would flip the decision (12 words or more, e.g. "
        f"'when we have 10x more field labels or serve on GPUs'); too short in: {', '.join(short)}"
    )
