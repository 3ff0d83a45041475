"""Mock interview log: four or more timed mocks (system design, technical deep dive, coding,
behavioural), each with its fields, a timestamped outline, rubric scores, three gaps, and
follow-ups on earlier gaps.

The log is parsed by :func:`grader.mock.parse_mock_log`; the template documents the format.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import mock, star

MIN_MOCKS = 4
MIN_TIMESTAMPS = 4
INTERVIEWER = re.compile(
    r"\b(?:peer|self|mentor|colleague|friend|coach|recorded|manager)\b", re.IGNORECASE
)


@pytest.fixture
def mocks(target_path: Path) -> list[mock.LoggedMock]:
    return mock.parse_mock_log(star.load(target_path))


def _name(m: mock.LoggedMock) -> str:
    return f"Mock {m.number} ({m.title})"


def test_at_least_four_mocks_covering_every_format(mocks: list[mock.LoggedMock]) -> None:
    assert len(mocks) >= MIN_MOCKS, (
        f"expected at least {MIN_MOCKS} mocks under `## Mock N: ...` headings, found {len(mocks)}"
    )
    formats = {m.format for m in mocks}
    missing = [f for f in mock.FORMATS if f not in formats]
    assert not missing, (
        f"no mock with format {', '.join(missing)} (the `- Format:` line); formats found: "
        f"{[m.fields.get('format', '?') for m in mocks]}"
    )


def test_every_mock_has_date_format_interviewer_duration_and_prompt(
    mocks: list[mock.LoggedMock],
) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = []
    for m in mocks:
        if m.date is None:
            bad.append(f"{_name(m)}: `- Date:` must be YYYY-MM-DD, got {m.fields.get('date')!r}")
        if m.format is None:
            bad.append(f"{_name(m)}: `- Format:` must name one of {', '.join(mock.FORMATS)}")
        if not INTERVIEWER.search(m.fields.get("interviewer", "")):
            bad.append(f"{_name(m)}: `- Interviewer:` should say peer (who) or self-recorded")
        if not m.duration:
            bad.append(f"{_name(m)}: `- Duration:` in minutes (a timed mock), e.g. '45 min'")
        if len(m.fields.get("prompt", "").split()) < 5:
            bad.append(f"{_name(m)}: `- Prompt:` the question as it was asked (5+ words)")
    assert not bad, "\n".join(bad)


def test_mocks_are_in_date_order(mocks: list[mock.LoggedMock]) -> None:
    dates = [m.date for m in mocks if m.date is not None]
    assert dates, "no mock has a `- Date: YYYY-MM-DD` line"
    assert dates == sorted(dates), (
        f"list the mocks in the order you did them (dates {[str(d) for d in dates]}); later mocks "
        "follow up earlier gaps"
    )


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


def test_every_mock_scores_every_dimension_from_1_to_4(mocks: list[mock.LoggedMock]) -> None:
    assert mocks, "no `## Mock N: ...` section found"
    bad = []
    for m in mocks:
        missing = [d for d in mock.DIMENSIONS if d not in m.scores]
        if missing:
            bad.append(f"{_name(m)}: no score for {', '.join(missing)}")
        for dimension, score in m.scores.items():
            if score is None or not 1 <= score <= 4:
                bad.append(f"{_name(m)}: {dimension} must be a whole score 1-4, got {score!r}")
    assert not bad, (
        "score the same four dimensions every time (| Dimension | Score | Evidence |):\n"
        + "\n".join(bad)
    )


def test_every_mock_names_three_gaps_with_unique_ids(mocks: list[mock.LoggedMock]) -> None:
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
    ids = [gap for m in mocks for gap in m.gaps]
    duplicates = sorted({gap for gap in ids if ids.count(gap) > 1})
    assert not duplicates, f"gap ids must be unique across the log; reused: {duplicates}"


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
