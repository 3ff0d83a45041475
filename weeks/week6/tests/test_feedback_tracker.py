"""Feedback tracker: every gap of the mock interview log, its root cause, the practice, evidence
from a later mock for closed items, and a reflection on the two most important changes.

Reads the learner's ``mock_interview_log.md`` next to the tracker (the mock log of the same
checkout), parsed by :func:`grader.mock.parse_mock_log`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from grader import manifest, mock, star, written
from grader.writing import WritingTests

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "gap"),
    "source": ("source",),
    "feedback": ("feedback", "symptom"),
    "root cause": ("root cause", "cause"),
    "practice": ("practice",),
    "evidence": ("evidence",),
    "status": ("status",),
}
STATUSES = ("open", "in progress", "closed")
MOCK_REF = re.compile(r"\bmock\s*#?\s*(\d+)\b", re.IGNORECASE)
SCORE_UP = re.compile(r"\b([1-4])\s*(?:->|→|=>|⟶|to)\s*([1-4])\b")


@pytest.fixture
def document(target_path: Path) -> written.Document:
    return star.load(target_path)


@pytest.fixture
def rows(document: written.Document) -> list[dict[str, str]]:
    """Tracker rows with canonical column names (see COLUMNS); [] without a table."""
    body = document.section("tracker") or ""
    canonical = []
    for row in star.table_rows(body):
        out = {}
        for header, cell in row.items():
            for name, spellings in COLUMNS.items():
                if name not in out and any(header.startswith(s) for s in spellings):
                    out[name] = cell
                    break
        canonical.append(out)
    return canonical


@pytest.fixture
def log(
    target_path: Path, deliverable: manifest.Deliverable, target: str, rx_root: Path
) -> list[mock.LoggedMock]:
    """The mock interview log of the same checkout (or of the course, for a mutant file)."""
    entry = manifest.load(rx_root)["week6.mock_interview_log"]
    own = deliverable.path_for(target)
    text = target_path.as_posix()
    base = Path(text[: -len(own)]) if text.endswith(own) else rx_root
    return mock.parse_mock_log(star.load(base / entry.path_for(target)))


@pytest.mark.clause("columns")
def test_tracker_table_has_the_required_columns(
    document: written.Document, rows: list[dict[str, str]]
) -> None:
    assert document.section("tracker") is not None, "no `## Tracker` section"
    assert rows, "the `## Tracker` section has no Markdown table"
    missing = [name for name in COLUMNS if name not in rows[0]]
    assert not missing, (
        f"the tracker table needs the columns {', '.join(c.title() for c in COLUMNS)}; missing "
        f"{', '.join(missing)}"
    )


@pytest.mark.clause("ids")
def test_every_row_is_a_gap_of_the_mock_log(
    rows: list[dict[str, str]], log: list[mock.LoggedMock]
) -> None:
    assert rows, "no tracker table"
    known = {gap for m in log for gap in m.gaps}
    bad = []
    for number, row in enumerate(rows, 1):
        gap = row.get("id", "").strip()
        if not mock.GAP_ID.fullmatch(gap):
            bad.append(f"row {number}: ID {gap!r} must be a gap id of your mock log, like G4")
        elif gap not in known:
            bad.append(f"row {number}: {gap} is no gap of mock_interview_log.md")
    assert not bad, "\n".join(bad)


@pytest.mark.clause("one-row")
def test_one_row_per_gap(rows: list[dict[str, str]]) -> None:
    assert rows, "no tracker table"
    ids = [row.get("id", "").strip() for row in rows]
    repeated = sorted({gap for gap in ids if gap and ids.count(gap) > 1})
    assert not repeated, (
        f"one row per gap: merge the rows of {', '.join(repeated)} (update a row as the item "
        "progresses)"
    )


@pytest.mark.clause("filled")
def test_every_row_is_filled_in(rows: list[dict[str, str]]) -> None:
    assert rows, "no tracker table"
    bad = [
        f"row {number} ({row.get('id') or 'no id'}): fill in {column!r}"
        for number, row in enumerate(rows, 1)
        for column in ("source", "feedback", "root cause", "practice")
        if len(row.get(column, "").split()) < 2
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.clause("status")
def test_every_status_is_open_in_progress_or_closed(rows: list[dict[str, str]]) -> None:
    assert rows, "no tracker table"
    bad = [
        f"row {number} ({row.get('id') or 'no id'}): status {row.get('status', '')!r}"
        for number, row in enumerate(rows, 1)
        if row.get("status", "").strip().lower() not in STATUSES
    ]
    assert not bad, f"status must be one of {', '.join(STATUSES)}:\n" + "\n".join(bad)


@pytest.mark.clause("root-cause")
def test_root_cause_is_not_the_symptom(rows: list[dict[str, str]]) -> None:
    assert rows, "no tracker table"
    bad = []
    for row in rows:
        symptom = set(re.findall(r"[a-z']+", row.get("feedback", "").lower()))
        cause = set(re.findall(r"[a-z']+", row.get("root cause", "").lower()))
        if not cause or len(cause - symptom) < 3:
            bad.append(f"{row.get('id', '?')}: root cause {row.get('root cause', '')!r}")
    assert not bad, (
        "separate symptoms from causes ('ran out of time' is a symptom, 'no time plan for the 45 "
        "minutes' a cause you can fix); these root causes repeat the feedback:\n" + "\n".join(bad)
    )


@pytest.mark.clause("every-gap")
def test_every_gap_of_the_mock_log_is_tracked(
    rows: list[dict[str, str]], log: list[mock.LoggedMock]
) -> None:
    gaps = [gap for m in log for gap in m.gaps]
    assert gaps, "your mock interview log lists no gaps (ids like G1 under `### Gaps`)"
    tracked = {row.get("id", "").strip() for row in rows}
    missing = [gap for gap in gaps if gap not in tracked]
    assert not missing, (
        f"every gap of mock_interview_log.md needs a tracker row; missing: {', '.join(missing)}"
    )


def _closed(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    closed = [row for row in rows if row.get("status", "").strip().lower() == "closed"]
    assert closed, "no item is closed yet: close the ones a later mock shows you fixed"
    return closed


def _later_mocks(
    row: dict[str, str], log: list[mock.LoggedMock]
) -> tuple[mock.LoggedMock | None, list[mock.LoggedMock]]:
    """The mock a tracked gap came from, and the later mocks its evidence cites."""
    origin = {gap: m for m in log for gap in m.gaps}
    by_number = {m.number: m for m in log}
    source = origin.get(row.get("id", "").strip())
    cited = [by_number.get(int(n)) for n in MOCK_REF.findall(row.get("evidence", ""))]
    later = [
        m
        for m in cited
        if m is not None
        and source is not None
        and (m.date or date.min, m.number) > (source.date or date.min, source.number)
    ]
    return source, later


@pytest.mark.clause("later-mock")
def test_closed_items_cite_a_later_mock(
    rows: list[dict[str, str]], log: list[mock.LoggedMock]
) -> None:
    bad = []
    for row in _closed(rows):
        source, later = _later_mocks(row, log)
        if not later:
            bad.append(
                f"{row.get('id', '?')}: the evidence {row.get('evidence', '')!r} cites no mock "
                "after the one it came from" + (f" (Mock {source.number})" if source else "")
            )
    assert not bad, (
        "close an item only with evidence from a later mock, e.g. 'Mock 3: communication "
        "2 -> 3':\n" + "\n".join(bad)
    )


@pytest.mark.clause("score-up")
def test_closed_items_show_a_score_going_up(rows: list[dict[str, str]]) -> None:
    bad = [
        f"{row.get('id', '?')}: the evidence {row.get('evidence', '')!r} shows no score going "
        "up ('2 -> 3')"
        for row in _closed(rows)
        if not any(int(b) > int(a) for a, b in SCORE_UP.findall(row.get("evidence", "")))
    ]
    assert not bad, "a closed item shows the score that went up:\n" + "\n".join(bad)


@pytest.mark.clause("scores-match-log")
def test_closing_scores_are_the_scores_of_the_mock_log(
    rows: list[dict[str, str]], log: list[mock.LoggedMock]
) -> None:
    bad = []
    for row in _closed(rows):
        gap, evidence = row.get("id", "").strip(), row.get("evidence", "")
        source, later = _later_mocks(row, log)
        dimension = mock.canonical(evidence, mock.DIMENSIONS)
        ups = [(int(a), int(b)) for a, b in SCORE_UP.findall(evidence) if int(b) > int(a)]
        if source is None or not later or not ups:
            continue  # reported by the later-mock and score-up tests
        if dimension is None:
            bad.append(f"{gap}: name the dimension whose score went up in {evidence!r}")
            continue
        before, after = source.scores.get(dimension), later[0].scores.get(dimension)
        if ups[0] != (before, after):
            bad.append(
                f"{gap}: the evidence says {dimension} {ups[0][0]} -> {ups[0][1]}, but your "
                f"mock log scores it {before} in Mock {source.number} and {after} in Mock "
                f"{later[0].number}"
            )
    assert not bad, (
        "the evidence of a closed item quotes the scores of your mock log:\n" + "\n".join(bad)
    )


@pytest.mark.clause("reflection-length")
def test_reflection_is_80_to_300_words(document: written.Document) -> None:
    body = document.section("reflection") or ""
    size = written.words(body)
    assert 80 <= size <= 300, f"write an 80-300 word `## Reflection`; it has {size} words"


@pytest.mark.clause("reflection-ids")
def test_reflection_names_two_changes(
    document: written.Document, rows: list[dict[str, str]]
) -> None:
    body = document.section("reflection") or ""
    tracked = {row.get("id", "").strip() for row in rows}
    named = {gap for gap in mock.GAP_ID.findall(body) if gap in tracked}
    assert len(named) >= 2, (
        f"name the two most important changes by their tracker ids (e.g. G1 and G3); the "
        f"reflection names {sorted(named) or 'none'}"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
