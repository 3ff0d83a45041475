"""Interview strategy: targets with reasons, a 60-second and a 5-minute pitch of the right length,
a timed playbook per interview format, questions to ask, culture fit, and a negotiation plan.

Judged with word counts and regular expressions (see :mod:`grader.star`); the template documents
the format.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import mock, star, written
from grader.writing import WritingTests

SECTIONS: dict[str, tuple[str, ...]] = {
    "Targets": ("target",),
    "Pitch": ("pitch",),
    "Format playbooks": ("playbook", "format"),
    "Questions to ask": ("question",),
    "Culture fit": ("culture",),
    "Negotiation": ("negotiat",),
}
PITCH_WORDS = {"60-second pitch": (100, 180), "5-minute story": (500, 900)}
PITCH_PARTS = {
    "60-second pitch": ("60-second", "60 second", "one-minute", "1-minute", "elevator"),
    "5-minute story": ("5-minute", "5 minute", "five-minute", "five minute"),
}
NEGOTIATION_PARTS = {
    "market data": ("market data", "market"),
    "walk-away point": ("walk-away", "walk away", "walkaway"),
    "competing offers": ("competing offers", "competing", "offers", "timing"),
    "what to say": ("what to say", "script", "what i will say"),
}
PLAYBOOK = re.compile(r"^###\s+(?P<name>.+?)\s*\((?P<total>\d+)\s*min(?:utes)?\)\s*$", re.M)
STEP = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+(?P<minutes>\d+)\s*min(?:utes)?\b", re.M)
ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+(?P<text>.+)$", re.M)
QUOTE = re.compile(r"[\"“][^\"”]{15,}[\"”]|^\s*>\s*\S", re.M)
RANGE = re.compile(
    r"[$€£]?\d[\d,.]*\s*[kK]?\s*(?:to|-|–|—|and)\s*[$€£]?\d[\d,.]*\s*[kK]?\b", re.IGNORECASE
)
WANT_NEXT = re.compile(
    r"\bnext\b|\bI(?: a|')m looking for\b|\bI am looking for\b|\bI want\b|\bI would like\b|"
    r"\bI'd like\b|\bI hope to\b|\bmy next\b",
    re.IGNORECASE,
)
DIFFERENTLY = re.compile(
    r"\bdifferently\b|\bif I (?:started|did it|were to start|could start) (?:again|over)\b|"
    r"\bnext time\b|\bin hindsight\b|\bI would (?:change|have)\b",
    re.IGNORECASE,
)
MIN_QUOTES = 3
TIME_WORDS = re.compile(r"\b\d+\s*(?:days?|weeks?)\b|\b(?:days?|weeks?)\b", re.IGNORECASE)


@pytest.fixture
def document(target_path: Path) -> written.Document:
    return star.load(target_path)


def _section(document: written.Document, name: str) -> str:
    return document.section(*SECTIONS[name]) or ""


@pytest.mark.clause("sections")
def test_every_section_is_written(document: written.Document) -> None:
    missing = document.missing(
        {name: spellings for name, spellings in SECTIONS.items()}, min_words=30
    )
    assert not missing, (
        f"write each section (30+ words): missing or too short: {', '.join(missing)}; headings "
        f"found: {list(document.sections)}"
    )


@pytest.mark.clause("targets")
def test_at_least_three_targets_each_with_a_reason(document: written.Document) -> None:
    body = _section(document, "Targets")
    rows = star.table_rows(body)
    items = [" ".join(row.values()) for row in rows] or [m["text"] for m in ITEM.finditer(body)]
    reasoned = [item for item in items if written.words(item) >= 10]
    assert len(reasoned) >= 3, (
        f"list at least three targets, each with why it fits you (10+ words per item); found "
        f"{len(items)} item(s), {len(reasoned)} with a reason"
    )


@pytest.mark.clause("pitch-length", "story-length")
@pytest.mark.parametrize("pitch", list(PITCH_WORDS))
def test_pitch_fits_its_time(document: written.Document, pitch: str) -> None:
    parts = star.split_parts(_section(document, "Pitch"), PITCH_PARTS)
    low, high = PITCH_WORDS[pitch]
    size = written.words(parts.get(pitch, ""))
    assert low <= size <= high, (
        f"the {pitch} should be {low}-{high} words (130-160 words a minute spoken); yours has "
        f"{size} (a `### {pitch.capitalize()}` heading under `## Pitch`)"
    )


@pytest.mark.clause("pitch-project")
def test_short_pitch_names_the_project(document: written.Document) -> None:
    pitch = star.split_parts(_section(document, "Pitch"), PITCH_PARTS).get("60-second pitch", "")
    assert "rxvision" in pitch.lower(), "the 60-second pitch should name RxVision25"


@pytest.mark.clause("pitch-number")
def test_short_pitch_gives_a_number(document: written.Document) -> None:
    pitch = star.split_parts(_section(document, "Pitch"), PITCH_PARTS).get("60-second pitch", "")
    assert star.quantities(pitch), (
        "the 60-second pitch needs one number with its unit (e.g. 'from 71% to 89%')"
    )


def _playbooks(document: written.Document) -> tuple[str, list[re.Match[str]]]:
    body = _section(document, "Format playbooks")
    return body, list(PLAYBOOK.finditer(body))


@pytest.mark.clause("playbook-formats")
def test_a_playbook_for_every_format(document: written.Document) -> None:
    _, heads = _playbooks(document)
    covered = {mock.canonical(h["name"], mock.FORMATS) for h in heads}
    missing = [f for f in mock.FORMATS if f not in covered]
    assert not missing, (
        f"add a playbook `### <format> (<N> min)` for: {', '.join(missing)}; found "
        f"{[h['name'] for h in heads]}"
    )


@pytest.mark.clause("playbook-sum")
def test_format_playbooks_add_up_to_their_length(document: written.Document) -> None:
    body, heads = _playbooks(document)
    assert heads, "no playbook heading `### <format> (<N> min)` under `## Format playbooks`"
    bad = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
        steps = [int(m["minutes"]) for m in STEP.finditer(body[head.end() : end])]
        if len(steps) < 3 or sum(steps) != int(head["total"]):
            bad.append(
                f"{head['name']}: {len(steps)} timed steps adding up to {sum(steps)} min, not "
                f"{head['total']}"
            )
    assert not bad, (
        "each playbook is a timeline of at least three `- N min: ...` steps that add up to the "
        "format's length:\n" + "\n".join(bad)
    )


@pytest.mark.clause("questions")
def test_at_least_five_questions_to_ask(document: written.Document) -> None:
    body = _section(document, "Questions to ask")
    questions = [line for line in body.splitlines() if line.strip().endswith("?")]
    assert len(questions) >= 5, (
        f"prepare at least five questions for your interviewers (lines ending with '?'); found "
        f"{len(questions)}"
    )


def _negotiation(document: written.Document) -> dict[str, str]:
    return star.split_parts(_section(document, "Negotiation"), NEGOTIATION_PARTS)


@pytest.mark.clause("negotiation-parts")
def test_negotiation_plan_has_its_four_parts(document: written.Document) -> None:
    parts = _negotiation(document)
    missing = [name for name in NEGOTIATION_PARTS if written.words(parts.get(name, "")) < 15]
    assert not missing, (
        f"the negotiation plan needs `### Market data`, `### Walk-away point`, `### Competing "
        f"offers` and `### What to say` (15+ words each); missing or short: {', '.join(missing)}"
    )


@pytest.mark.clause("market-sources")
def test_market_data_lists_two_sources(document: written.Document) -> None:
    sources = ITEM.findall(_negotiation(document).get("market data", ""))
    assert len(sources) >= 2, (
        f"list at least two market-data sources as bullets under `### Market data`; found "
        f"{len(sources)}"
    )


@pytest.mark.clause("market-range")
def test_market_data_gives_a_range(document: written.Document) -> None:
    market = _negotiation(document).get("market data", "")
    assert RANGE.search(market), (
        "give the range your market data points to, low to high (e.g. '95k to 125k' or "
        "'95-125k'), under `### Market data`"
    )


@pytest.mark.clause("walk-away")
def test_walk_away_point_is_a_number(document: written.Document) -> None:
    assert re.search(r"\d", _negotiation(document).get("walk-away point", "")), (
        "decide your walk-away point as a number before the call; `### Walk-away point` has none"
    )


@pytest.mark.clause("competing")
def test_competing_offers_are_timed(document: written.Document) -> None:
    assert TIME_WORDS.search(_negotiation(document).get("competing offers", "")), (
        "say how you time competing offers (in days or weeks) under `### Competing offers`"
    )


@pytest.mark.clause("what-to-say")
def test_what_to_say_is_written_as_quoted_sentences(document: written.Document) -> None:
    quotes = QUOTE.findall(_negotiation(document).get("what to say", ""))
    assert len(quotes) >= MIN_QUOTES, (
        f"write the sentences you will say, in quotation marks, under `### What to say`: one "
        f"when asked for a number, one for the offer, one to ask for more ({MIN_QUOTES}+); "
        f"found {len(quotes)}"
    )


@pytest.mark.clause("culture")
def test_culture_fit_is_60_words(document: written.Document) -> None:
    size = written.words(_section(document, "Culture fit"))
    assert size >= 60, f"write 60+ words under `## Culture fit`; it has {size}"


@pytest.mark.clause("pitch-next")
def test_short_pitch_says_what_you_want_next(document: written.Document) -> None:
    pitch = star.split_parts(_section(document, "Pitch"), PITCH_PARTS).get("60-second pitch", "")
    assert WANT_NEXT.search(pitch), (
        "end the 60-second pitch with what you want next ('Next I want to...', 'I am looking "
        "for...')"
    )


@pytest.mark.clause("story-numbers")
def test_long_story_gives_its_numbers(document: written.Document) -> None:
    story = star.split_parts(_section(document, "Pitch"), PITCH_PARTS).get("5-minute story", "")
    found = star.quantities(story)
    assert len(found) >= 3, (
        "the 5-minute story carries its evidence: three or more numbers with their units "
        f"('from 71% to 89%', '140 images per second'); found {found}"
    )


@pytest.mark.clause("story-differently")
def test_long_story_says_what_you_would_do_differently(document: written.Document) -> None:
    story = star.split_parts(_section(document, "Pitch"), PITCH_PARTS).get("5-minute story", "")
    assert DIFFERENTLY.search(story), (
        "close the 5-minute story with what you would do differently ('If I started again, "
        "I would...', 'next time I would...')"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
