"""Tests of week6.tradeoff_analyses: the trade-offs interviewers probe, grounded in measurements.

Each `## ` section is one analysis. At least six of the seven topics must be written, each with
the four parts labelled at the start of a line (**Options**, **Criteria**, **Decision**,
**Revisit when**): Options names two or more alternatives, the Decision cites at least one
number with a unit from your own RxVision25 measurements, and Revisit when names the signal in
12 words or more.
Run: ``pytest weeks/week6/tests/test_tradeoff_analyses.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from grader import design_judge, manifest
from grader.writing import WritingTests
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
MIN_REVISIT_WORDS = 12
#: Words that join two alternatives of an Options part.
ALTERNATIVES = re.compile(r"\b(?:or|vs\.?|versus|against|instead of)\b", re.IGNORECASE)
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


_LABEL_LINE = re.compile(r"^\s*(?:[-*+]\s+)?(?:#+\s*)?[*_]*")


def _starts_with(line: str, synonyms: tuple[str, ...]) -> bool:
    start = _LABEL_LINE.sub("", line, count=1).lower()
    return any(start.startswith(s) for s in synonyms)


def _part(body: str, synonyms: tuple[str, ...]) -> str | None:
    """The text of a labelled part: from its label line to a blank line or the next label."""
    lines = body.splitlines()
    for i, line in enumerate(lines):
        if _starts_with(line, synonyms):
            text = [line]
            for following in lines[i + 1 :]:
                if any(_starts_with(following, s) for s in PARTS.values()):
                    break
                if not following.strip():
                    if len(text) > 1 or line.partition(":")[2].strip(" *_"):
                        break
                    continue  # a label alone on its line: its content follows a blank line
                text.append(following)
            return "\n".join(text)
    return None


def _has_part(body: str, synonyms: tuple[str, ...]) -> bool:
    return _part(body, synonyms) is not None


@pytest.mark.clause("six-analyses", "min-words")
def test_at_least_six_analyses_are_written(document: Document) -> None:
    written = _analyses(document)
    thin = {h: words(b) for h, b in document.sections.items() if h not in written}
    assert len(written) >= MIN_ANALYSES, (
        f"{len(written)} analyses have {MIN_WORDS}+ words; write at least {MIN_ANALYSES}. "
        f"Too short: {', '.join(f'{h!r} ({n} words)' for h, n in thin.items()) or 'none'}"
    )


@pytest.mark.clause("six-analyses", "topic-heading")
def test_analyses_cover_the_interview_topics(document: Document) -> None:
    headings = "\n".join(_analyses(document))
    missing = design_judge.find_terms(headings, TOPICS).missing
    assert len(missing) <= len(TOPICS) - MIN_ANALYSES, (
        f"topics without a written analysis: {', '.join(missing)} (name the topic in the `## ` "
        f"heading, e.g. '## REST vs gRPC'); cover at least {MIN_ANALYSES} of the {len(TOPICS)}"
    )


@pytest.mark.clause("four-parts")
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


@pytest.mark.clause("options-alternatives")
def test_each_options_part_names_the_alternatives(document: Document) -> None:
    single = []
    for heading, body in _analyses(document).items():
        options = _part(body, PARTS["Options"])
        if options is None:
            continue  # reported by test_each_analysis_has_the_four_parts
        items = [
            line for line in options.splitlines()[1:] if re.match(r"\s*(?:[-*+]|\d+[.)])\s", line)
        ]
        if not (ALTERNATIVES.search(options) or len(items) >= 2):
            single.append(heading)
    assert not single, (
        "**Options:** names both sides of the trade-off (e.g. 'a Redis cache of answers, or no "
        "cache'; 'REST vs gRPC'; or a list of two or more options); only one option in: "
        + ", ".join(single)
    )


@pytest.mark.clause("decision-measured")
def test_each_decision_cites_a_measurement(document: Document) -> None:
    bare = []
    for heading, body in _analyses(document).items():
        decision = _part(body, PARTS["Decision"])
        if decision is not None and not MEASUREMENT.search(decision):
            bare.append(heading)
    assert not bare, (
        "ground each **Decision:** in a number you measured on RxVision25, written in the "
        "Decision itself (e.g. '21 ms vs 34 ms per image', 'ECE 6.1 % -> 1.9 %'); numbers only "
        f"under Options or Criteria do not count. No measurement with a unit in the Decision of: "
        f"{', '.join(bare)}"
    )


@pytest.mark.clause("revisit-signal")
def test_each_decision_says_what_would_change_it(document: Document) -> None:
    short = []
    for heading, body in _analyses(document).items():
        revisit = _part(body, PARTS["Revisit when"])
        if revisit is not None and words(revisit) < MIN_REVISIT_WORDS:
            short.append(f"{heading!r} ({words(revisit)} words)")
    assert not short, (
        "'Revisit when' must name the signal that would flip the decision "
        f"({MIN_REVISIT_WORDS} words or more, e.g. 'when we have 10x more field labels or serve "
        f"on GPUs'); too short in: {', '.join(short)}"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""


# -- read by meaning (the `semantic` fixture): last in the file, so a mutant caught above never
# loads the model


@pytest.mark.clause("on-topic")
def test_every_section_is_about_its_prompt(
    document: Document, semantic: ModuleType, rx_root: Path, deliverable: manifest.Deliverable
) -> None:
    # the prompts come from the course's template (the learner's copy when graded in place:
    # a section whose guidance comment was deleted is not judged)
    template = (rx_root / deliverable.path_for("learner")).read_text()
    prompts = semantic.template_prompts(template, guided_only=True)
    answers = semantic.section_answers(document.sections)
    flagged = semantic.off_topic(answers, prompts)
    assert not flagged, semantic.off_topic_message(flagged)
