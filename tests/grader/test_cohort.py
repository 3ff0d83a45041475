"""The cohort view (grader/cohort.py): history, merging shards, the page, Markdown, gradebook.

The reports are real ones: the three-exercise course of ``test_mentor`` graded with
``mentor.grade_learner`` once per learner run (about ten seconds each), once for the module.
``ana`` is graded twice, into two folders (shards), the second time with one more exercise
solved; the forger ``ben<b>`` forges a test and adds a file named ``<script>x</script>.py``.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader import cohort, mentor
from grader.results import MentorRubric, MentorScore

from .test_isolate import SOLVED, make_course
from .test_mentor import FORGED_TEST, STUB, learner

FORGER = "ben<b>"
SCRIPT_FILE = "tests/<script>x</script>.py"  # a learner-named file the forger adds
KEY = b"k" * 32
IDS = ["week1.first", "week1.second", "week1.third"]


@dataclass
class Cohort:
    """Reports of a graded cohort: shard ``a`` holds ana's first run and the forger's, shard
    ``b`` ana's later run."""

    a: Path
    b: Path
    ana_early: dict
    ana_late: dict
    forger: dict


def grade_cohort(base: Path) -> Cohort:
    """Grade three runs of the tiny course into ``base/shard-a`` and ``base/shard-b``."""
    root = base / "mentor"
    make_course(root, {"first": STUB, "second": STUB, "third": STUB}, timeout=5)
    first, second = "weeks/week1/first.py", "weeks/week1/second.py"
    ana = learner(root, "ana", {first: SOLVED})
    forger = learner(
        root,
        FORGER,
        {
            first: SOLVED,
            second: SOLVED,
            "weeks/week1/tests/test_third.py": FORGED_TEST,
            SCRIPT_FILE: "x = 1\n",
        },
    )
    later = learner(root, "ana-later", {first: SOLVED, second: SOLVED})
    early = mentor.grade_learner(root, ana, base / "shard-a", key=KEY)
    forged = mentor.grade_learner(root, forger, base / "shard-a")  # unsigned
    late = mentor.grade_learner(root, later, base / "shard-b", key=KEY, name="ana")
    assert late.report["created"] > early.report["created"], "the two runs of ana share a time"
    return Cohort(base / "shard-a", base / "shard-b", early.report, late.report, forged.report)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    return grade_cohort(tmp_path_factory.mktemp("cohort"))


@pytest.fixture
def shards(graded: Cohort, tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the two shard folders that a test may change."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(graded.a, a)
    shutil.copytree(graded.b, b)
    return a, b


def test_the_reports_are_as_the_tests_expect(graded: Cohort) -> None:
    assert graded.ana_early["earned"] == 10 and graded.ana_late["earned"] == 20
    assert graded.forger["earned"] == 20, "the forged test must not have run"
    assert SCRIPT_FILE in graded.forger["integrity"]["modified"], graded.forger["integrity"]


# -- record / history -----------------------------------------------------------------------------
def test_two_runs_of_a_learner_are_two_points_over_time(graded: Cohort, tmp_path: Path) -> None:
    db = tmp_path / "history" / "cohort.sqlite"
    early = cohort.record(db, graded.ana_early)
    forger = cohort.record(db, graded.forger)
    late = cohort.record(db, graded.ana_late)
    assert len({early, forger, late}) == 3, "three different runs got the same id"
    runs = cohort.history(db)
    ana = [r for r in runs if r["learner"] == "ana"]
    assert [(r["created"], r["earned"], r["points"]) for r in ana] == [
        (graded.ana_early["created"], 10, 30),
        (graded.ana_late["created"], 20, 30),
    ], f"ana's runs over time, as recorded: {ana}"
    assert [r["run"] for r in ana] == [early, late]
    assert [r["learner"] for r in runs] == ["ana", "ana", FORGER]
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT deliverable, state, points, earned, created, run_earned FROM graded "
            "WHERE run_id = ? ORDER BY deliverable",
            (late,),
        ).fetchall()
    assert rows == [
        ("week1.first", "passing", 10, 10, graded.ana_late["created"], 20),
        ("week1.second", "passing", 10, 10, graded.ana_late["created"], 20),
        ("week1.third", "not started", 10, 0, graded.ana_late["created"], 20),
    ], f"one row per exercise of ana's later run, as recorded: {rows}"


def test_the_same_report_is_recorded_once(graded: Cohort, tmp_path: Path) -> None:
    db = tmp_path / "cohort.sqlite"
    first = cohort.record(db, graded.ana_early)
    again = cohort.record(db, json.loads(json.dumps(graded.ana_early)))
    assert again == first, "recording the same report again should return the id it has"
    assert len(cohort.history(db)) == 1, cohort.history(db)
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM graded").fetchone()
    assert count == 3, f"3 exercise rows for one run, found {count}"


def test_history_of_no_database_is_empty(tmp_path: Path) -> None:
    assert cohort.history(tmp_path / "none.sqlite") == []
    assert not (tmp_path / "none.sqlite").exists(), "reading should not create a database"


def test_record_refuses_a_report_without_a_learner(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no learner name"):
        cohort.record(tmp_path / "db.sqlite", {"created": "2025-01-01", "deliverables": []})


# -- load_reports ---------------------------------------------------------------------------------
def test_shards_merge_and_the_latest_report_of_a_learner_is_kept(
    graded: Cohort, shards: tuple[Path, Path]
) -> None:
    a, b = shards
    (a / "notes.json").write_text('{"not": "a report"}')
    (b / "broken.json").write_text("{")
    for order in ([a, b], [b, a]):
        warnings: list[str] = []
        reports = cohort.load_reports(order, warnings)
        assert [r["learner"]["name"] for r in reports] == ["ana", FORGER]
        assert reports[0]["created"] == graded.ana_late["created"], (
            f"ana's later run ({graded.ana_late['created']}) should be kept, not the one of "
            f"{reports[0]['created']} (folders in the order {order})"
        )
        merged = [w for w in warnings if w.startswith("ana has more than one report")]
        assert len(merged) == 1, warnings
        assert str(b / "ana.json") in merged[0] and str(a / "ana.json") in merged[0]
        assert any("notes.json: not a learner report" in w for w in warnings), warnings
        assert any("broken.json: not readable as JSON" in w for w in warnings), warnings
    assert cohort.load_reports([a]) == sorted(
        [json.loads((a / n).read_text()) for n in ("ana.json", f"{FORGER}.json")],
        key=lambda r: r["learner"]["name"],
    )


# -- write_cohort ---------------------------------------------------------------------------------
def test_the_gradebook_is_in_the_shape_canvas_imports(
    graded: Cohort, shards: tuple[Path, Path], tmp_path: Path
) -> None:
    paths = cohort.write_cohort(list(shards), tmp_path / "out")
    assert paths == {
        "html": tmp_path / "out" / "cohort.html",
        "markdown": tmp_path / "out" / "cohort.md",
        "csv": tmp_path / "out" / "gradebook.csv",
    }
    with paths["csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "first (week1.first)",
        "second (week1.second)",
        "third (week1.third)",
        "Total",
    ]
    assert rows[1] == ["Points Possible", "", "", "", "", "10", "10", "10", "30"]
    by_name = {row[0]: row for row in rows[2:]}
    assert len(rows) == 4 and set(by_name) == {"ana", FORGER}, rows
    assert by_name["ana"][5:] == ["10", "10", "0", "20"], "ana's later run, per exercise"
    assert by_name[FORGER][5:] == ["10", "10", "0", "20"]
    assert by_name["ana"][3] == "ana", "SIS Login ID is the learner's name"


def test_markdown_has_every_learner_and_the_integrity_flags(
    shards: tuple[Path, Path], tmp_path: Path
) -> None:
    text = cohort.write_cohort(list(shards), tmp_path / "out")["markdown"].read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [row.split("|")[1].strip() for row in rows] == ["`ana`", f"`{FORGER}`"], text
    ana, forger = rows
    assert "| 20 / 30 | 20 / 30 |" in ana and "no flags" in ana and "| signed |" in ana
    assert "**FLAGGED**" in forger and "| unsigned |" in forger, forger
    assert f"`official file {SCRIPT_FILE} was added (never ran)" in text, text
    assert "ana has more than one report" in text, "the merge should be noted"


def test_the_page_escapes_learner_text_and_fetches_nothing(
    graded: Cohort, shards: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = shards
    rubric = MentorRubric("Dr. Ada", "2025-03-14", [MentorScore("week1.first", 4, 5, "Clear.")])
    late = json.loads((b / "ana.json").read_text())
    late["mentor"] = rubric.to_json()
    (b / "ana.json").write_text(json.dumps(late))
    page = cohort.write_cohort([a, b], tmp_path / "out")["html"].read_text()
    for name in ("ana", "ben&lt;b&gt;", *IDS):
        assert name in page, f"the page should show {name}"
    assert "&lt;script&gt;x&lt;/script&gt;.py" in page, "the forger's file should be listed"
    assert "<script" not in page and "<b>" not in page, "learner text reached the page unescaped"
    assert not re.search(r"""(src|href)\s*=|https?://|@import|url\(""", page), (
        "the page must be self-contained: no links, sources or URLs"
    )
    assert len(re.findall(r'<tr class="learner"', page)) == 2
    assert "4 / 5 (Dr. Ada, 2025-03-14)" in page, "the mentor's rubric score should be shown"
    assert "signed (HMAC-SHA256)" in page and "unsigned" in page


def test_points_over_time_come_from_the_history_when_given(
    graded: Cohort, shards: tuple[Path, Path], tmp_path: Path
) -> None:
    _, b = shards
    db = tmp_path / "cohort.sqlite"
    cohort.record(db, graded.ana_early)
    cohort.record(db, graded.forger)  # not in shard b: not on its page

    def points(page: str) -> list[str]:
        line = re.search(r'<polyline data-learner="ana"[^>]*points="([^"]*)"', page)
        assert line, "the chart has no line for ana"
        return line.group(1).split()

    without = cohort.write_cohort([b], tmp_path / "without")["html"].read_text()
    assert len(points(without)) == 1, "from shard b alone, ana has one run"
    page = cohort.write_cohort([b], tmp_path / "with", db=db)["html"].read_text()
    assert len(points(page)) == 2, "the history adds ana's earlier run to the one in shard b"
    assert page.count("<polyline") == 1, f"only the learners of shard b are charted, not {FORGER}"
    both = cohort.write_cohort(list(shards), tmp_path / "both")["html"].read_text()
    assert len(points(both)) == 2, "without a history, the superseded report is a point too"


def test_no_reports_is_an_error_that_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no learner reports in .*empty"):
        cohort.write_cohort([tmp_path / "empty"], tmp_path / "out")
