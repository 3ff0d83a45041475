"""Mock interview log: four or more timed mocks (system design, technical deep dive, coding,
behavioural), each with its fields, a timestamped outline, rubric scores, three gaps, and
follow-ups on earlier gaps.

The log is parsed by :func:`grader.mock.parse_mock_log`; the template documents the format.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from grader import mock, star
from grader.writing import WritingTests

MIN_MOCKS = 4
MIN_TIMESTAMPS = 4
MIN_GAP_WORDS = 4
INTERVIEWER = re.compile(
    r"\b(?:peer|self|mentor|colleague|friend|coach|recorded|manager)\b", re.IGNORECASE
)


@pytest.fixture
def mocks(target_path: Path) -> list[mock.LoggedMock]:
    return mock.parse_mock_log(star.load(target_path))


def _name(m: mock.LoggedMock) -> str:
    return f"Mock {m.number} ({m.title})"


@pytest.mark.clause("count")
def test_at_least_four_mocks(mocks: list[mock.LoggedMock]) -> None:
    assert len(mocks) >= MIN_MOCKS, (
        f"expected at least {MIN_MOCKS} mocks under `## Mock N: ...` headings, found {len(mocks)}"
    )


@pytest.mark.clause("formats")
def test_the_mocks_cover_every_format(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    formats = {m.format for m in mocks}
    missing = [f for f in mock.FORMATS if f not in formats]
    assert not missing, (
        f"no mock with format {', '.join(missing)} (the `- Format:` line); formats found: "
        f"{[m.fields.get('format', '?') for m in mocks]}"
    )


def _field_problems(mocks: list[mock.LoggedMock], check) -> list[str]:
    return [f"{_name(m)}: {problem}" for m in mocks if (problem := check(m))]


@pytest.mark.clause("date")
def test_every_mock_has_a_real_past_date(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    today = date.today()

    def check(m: mock.LoggedMock) -> str | None:
        if m.date is None:
            return f"`- Date:` must be a real date written YYYY-MM-DD, got {m.fields.get('date')!r}"
        if m.date > today:
            return f"`- Date: {m.date}` is in the future (today is {today}); log mocks you did"
        return None

    bad = _field_problems(mocks, check)
    assert not bad, "\n".join(bad)


@pytest.mark.clause("format-field")
def test_every_mock_names_its_format(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = _field_problems(
        mocks,
        lambda m: (
            None
            if m.format
            else f"`- Format:` must name one of {', '.join(mock.FORMATS)}, got "
            f"{m.fields.get('format')!r}"
        ),
    )
    assert not bad, "\n".join(bad)


@pytest.mark.clause("interviewer")
def test_every_mock_names_its_interviewer(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = _field_problems(
        mocks,
        lambda m: (
            None
            if INTERVIEWER.search(m.fields.get("interviewer", ""))
            else "`- Interviewer:` should say peer (who) or self-recorded, got "
            f"{m.fields.get('interviewer')!r}"
        ),
    )
    assert not bad, "\n".join(bad)


@pytest.mark.clause("duration")
def test_every_mock_is_timed(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = _field_problems(
        mocks,
        lambda m: (
            None
            if m.duration
            else "`- Duration:` in minutes (a timed mock), e.g. '45 min', got "
            f"{m.fields.get('duration')!r}"
        ),
    )
    assert not bad, "\n".join(bad)


@pytest.mark.clause("prompt")
def test_every_mock_records_its_prompt(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = _field_problems(
        mocks,
        lambda m: (
            None
            if len(m.fields.get("prompt", "").split()) >= 5
            else "`- Prompt:` the question as it was asked (5+ words), got "
            f"{m.fields.get('prompt')!r}"
        ),
    )
    assert not bad, "\n".join(bad)


@pytest.mark.clause("numbered")
def test_mocks_are_numbered_in_order(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    unnumbered = [m.title for m in mocks if not m.numbered]
    assert not unnumbered, f"number every mock heading, `## Mock 3: ...`; no number: {unnumbered}"
    numbers = [m.number for m in mocks]
    assert numbers == sorted(set(numbers)), (
        f"number the mocks in the order you did them, each once; the headings go {numbers}"
    )


@pytest.mark.clause("date-order")
def test_mocks_are_in_date_order(mocks: list[mock.LoggedMock]) -> None:
    dates = [m.date for m in mocks if m.date is not None]
    assert dates, "no mock has a `- Date: YYYY-MM-DD` line"
    assert dates == sorted(dates), (
        f"list the mocks in the order you did them (dates {[str(d) for d in dates]}); later mocks "
        "follow up earlier gaps"
    )


@pytest.mark.clause("outline")
def test_every_outline_is_timestamped_in_order(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = []
    for m in mocks:
        stamps = list(m.timestamps)
        if len(stamps) < MIN_TIMESTAMPS:
            bad.append(
                f"{_name(m)}: {len(stamps)} timestamped bullets in `### Outline` (need "
                f"{MIN_TIMESTAMPS}, like `- 04:30 estimates out loud`)"
            )
        elif stamps != sorted(stamps):
            bad.append(f"{_name(m)}: timestamps go backwards: {stamps} seconds")
        elif m.duration and stamps[-1] > (m.duration + 5) * 60:
            bad.append(
                f"{_name(m)}: the outline reaches {mock.format_seconds(stamps[-1])} but the "
                f"mock lasted {m.duration:g} min"
            )
    assert not bad, "\n".join(bad)


@pytest.mark.clause("dimensions")
def test_every_mock_scores_every_dimension(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = []
    for m in mocks:
        missing = [d for d in mock.DIMENSIONS if d not in m.scores]
        if missing:
            bad.append(f"{_name(m)}: no score for {', '.join(missing)}")
    assert not bad, (
        "score the same four dimensions every time (| Dimension | Score | Evidence |):\n"
        + "\n".join(bad)
    )


@pytest.mark.clause("score-range")
def test_every_score_is_a_whole_number_from_1_to_4(mocks: list[mock.LoggedMock]) -> None:
    assert any(m.scores for m in mocks), "no `### Scores` table found"
    bad = [
        f"{_name(m)}: {dimension} must be a whole score 1-4, got {score!r}"
        for m in mocks
        for dimension, score in m.scores.items()
        if score is None or not 1 <= score <= 4
    ]
    assert not bad, "the rubric scores 1 to 4:\n" + "\n".join(bad)


@pytest.mark.clause("evidence")
def test_every_score_gives_its_evidence(mocks: list[mock.LoggedMock]) -> None:
    assert any(m.scores for m in mocks), "no `### Scores` table found"
    bad = [
        f"{_name(m)}: {dimension} ({m.evidence.get(dimension, '')!r})"
        for m in mocks
        for dimension in m.scores
        if len(m.evidence.get(dimension, "").split()) < 3
    ]
    assert not bad, (
        "back every score with what happened in the recording (the Evidence column, a few "
        "words at least, e.g. 'silent estimates at 29:40'):\n" + "\n".join(bad)
    )


@pytest.mark.clause("three-gaps")
def test_every_mock_names_three_gaps(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = [
        f"{_name(m)}: {len(m.gaps)} gaps with ids ({', '.join(m.gaps) or 'none'})"
        for m in mocks
        if len(m.gaps) != 3
    ]
    assert not bad, (
        "list exactly the three biggest gaps under `### Gaps`, each with an id (`1. G4: ...`):\n"
        + "\n".join(bad)
    )


@pytest.mark.clause("gap-behaviour")
def test_gaps_are_behaviours_not_labels(mocks: list[mock.LoggedMock]) -> None:
    assert any(m.gaps for m in mocks), "no gap with an id (`1. G1: ...`) under `### Gaps`"
    bad = [
        f"{_name(m)}: {gap}: {mock.gap_text(line)!r}"
        for m in mocks
        for gap, line in m.gaps.items()
        if len(mock.gap_text(line).split()) < MIN_GAP_WORDS
    ]
    assert not bad, (
        f"write each gap as a behaviour you can change, in a sentence of {MIN_GAP_WORDS}+ words "
        "('coded silently for 8 minutes instead of narrating'), not a label:\n" + "\n".join(bad)
    )


@pytest.mark.clause("gap-ids")
def test_gap_ids_are_unique_across_the_log(mocks: list[mock.LoggedMock]) -> None:
    assert any(m.gaps for m in mocks), "no gap with an id (`1. G1: ...`) under `### Gaps`"
    ids = [gap for m in mocks for gap in m.gaps]
    duplicates = sorted({gap for gap in ids if ids.count(gap) > 1})
    assert not duplicates, f"gap ids must be unique across the log; reused: {duplicates}"


@pytest.mark.clause("followups")
def test_later_mocks_follow_up_earlier_gaps(mocks: list[mock.LoggedMock]) -> None:
    assert len(mocks) >= 2, "with fewer than two mocks there is nothing to follow up"
    ordered = sorted(mocks, key=lambda m: (m.date is None, m.date or 0, m.number))
    bad = []
    earlier: set[str] = set()
    for m in ordered:
        if earlier:
            if not m.followups:
                bad.append(f"{_name(m)}: `### Earlier gaps` names no earlier gap id")
            unknown = [g for g in m.followups if g not in earlier]
            if unknown:
                bad.append(
                    f"{_name(m)}: follows up {', '.join(unknown)}, which no earlier mock listed"
                )
        earlier |= set(m.gaps)
    assert not bad, (
        "every mock after the first checks earlier gaps by id (`- G1: asked about the latency "
        "budget at 01:10`):\n" + "\n".join(bad)
    )


@pytest.mark.clause("followup-outcome")
def test_follow_ups_say_what_happened(mocks: list[mock.LoggedMock]) -> None:
    assert any(m.followups for m in mocks), "no `### Earlier gaps` names an earlier gap id"
    bad = [
        f"{_name(m)}: {gap}: {note!r}"
        for m in mocks
        for gap, note in m.followup_notes.items()
        if len(note.split()) < 3
    ]
    assert not bad, (
        "for each earlier gap you checked, say what happened this time (`- G1: asked about the "
        "latency budget at 01:10`):\n" + "\n".join(bad)
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
