"""Mentor rubric scores: validation, the optional ``mentor`` block of reports, ``--rubric``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import manifest, results, rubric
from grader.cli import app
from grader.report import to_markdown
from grader.results import Run, summarise

runner = CliRunner()

GOOD = """
mentor = "Dr. Ada Lovelace"
date = 2025-03-14
learner = "sam"

[week1.adder]
score = 4
max = 5
comment = "Clear | and tested."
"""


def write(tmp_path: Path, text: str, name: str = "mentor-rubric.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def curriculum(course_dir: Path) -> manifest.Curriculum:
    return manifest.load(course_dir)


def problems(tmp_path: Path, curriculum: manifest.Curriculum, text: str) -> str:
    with pytest.raises(rubric.RubricError) as info:
        rubric.load(write(tmp_path, text), curriculum)
    return str(info.value)


def test_a_valid_rubric_is_read(tmp_path: Path, curriculum: manifest.Curriculum) -> None:
    scores = rubric.load(write(tmp_path, GOOD), curriculum)
    assert (scores.mentor, scores.date, scores.learner) == ("Dr. Ada Lovelace", "2025-03-14", "sam")
    assert [(s.id, s.score, s.max, s.comment) for s in scores.scores] == [
        ("week1.adder", 4.0, 5.0, "Clear | and tested.")
    ]
    assert (scores.total, scores.maximum) == (4.0, 5.0)
    assert scores.source.endswith("mentor-rubric.toml")


def test_quoted_ids_string_dates_and_the_default_maximum(
    tmp_path: Path, curriculum: manifest.Curriculum
) -> None:
    text = 'mentor = "M"\ndate = "2025-03-14"\n["week1.adder"]\nscore = 2.5\n'
    scores = rubric.load(write(tmp_path, text), curriculum)
    assert [(s.id, s.score, s.max) for s in scores.scores] == [("week1.adder", 2.5, 5.0)]
    assert scores.date == "2025-03-14"


def test_an_unknown_id_names_the_closest_ones(
    tmp_path: Path, curriculum: manifest.Curriculum
) -> None:
    message = problems(tmp_path, curriculum, GOOD.replace("[week1.adder]", "[week1.addr]"))
    assert "[week1.addr]: no such deliverable in curriculum.toml; did you mean week1.adder" in (
        message
    )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("score = 6\nmax = 5", "score 6 is outside 0..5"),
        ("score = -1", "score -1 is outside 0..5"),
        ('score = "four"', "score must be a number, got 'four'"),
        ("max = 5", "missing score"),
        ("score = 1\nmax = 0", "max must be a positive number"),
        ("score = 1\npoints = 3", "unknown field(s) points"),
        ("score = true", "score must be a number"),
    ],
)
def test_bad_scores_are_clear_errors(
    tmp_path: Path, curriculum: manifest.Curriculum, entry: str, expected: str
) -> None:
    text = f'mentor = "M"\ndate = 2025-03-14\n[week1.adder]\n{entry}\n'
    message = problems(tmp_path, curriculum, text)
    assert f"[week1.adder]: {expected}" in message, message


def test_every_problem_is_reported_at_once(tmp_path: Path, curriculum: manifest.Curriculum) -> None:
    text = 'color = "blue"\n[week1.adder]\nscore = 9\n[week1.nope]\nscore = 1\n'
    message = problems(tmp_path, curriculum, text)
    assert "5 problem(s)" in message, message
    for expected in (
        "name the mentor",
        "add the date",
        "unknown field 'color'",
        "score 9 is outside",
        "[week1.nope]",
    ):
        assert expected in message


def test_planned_deliverables_and_empty_rubrics_are_rejected(
    tmp_path: Path, curriculum: manifest.Curriculum
) -> None:
    planned = 'mentor = "M"\ndate = 2025-03-14\n[week1.later]\nscore = 1\n'
    assert "planned" in problems(tmp_path, curriculum, planned)
    assert "no scores" in problems(tmp_path, curriculum, 'mentor = "M"\ndate = 2025-03-14\n')


def test_unreadable_files_name_the_file(tmp_path: Path, curriculum: manifest.Curriculum) -> None:
    with pytest.raises(rubric.RubricError, match="no such rubric file"):
        rubric.load(tmp_path / "missing.toml", curriculum)
    with pytest.raises(rubric.RubricError, match="bad.toml: not valid TOML"):
        rubric.load(write(tmp_path, "mentor = \n", "bad.toml"), curriculum)


# -- reports ------------------------------------------------------------------------------------
def scored_run(tmp_path: Path, curriculum: manifest.Curriculum) -> Run:
    outcomes = {"week1.adder": [results.TestOutcome("t::test_small", "passed")]}
    run = summarise(curriculum, outcomes, "solution")
    return rubric.attach(run, rubric.load(write(tmp_path, GOOD), curriculum))


def test_json_keeps_the_mentor_block_apart(tmp_path: Path, curriculum: manifest.Curriculum) -> None:
    run = scored_run(tmp_path, curriculum)
    data = run.to_json()
    assert data["schema"] == "rxgrade.report/1"
    assert data["earned"] == 10, "mentor scores never change the automated points"
    assert data["mentor"]["mentor"] == "Dr. Ada Lovelace" and data["mentor"]["total"] == 4.0
    again = Run.from_json(json.loads(json.dumps(data)))
    assert again.mentor == run.mentor


def test_reports_without_a_mentor_stay_as_they_were(curriculum: manifest.Curriculum) -> None:
    run = summarise(curriculum, {}, "learner")
    data = run.to_json()
    assert "mentor" not in data
    assert Run.from_json(data).mentor is None
    assert "Mentor rubric" not in to_markdown(run)


def test_markdown_has_a_separate_mentor_section(
    tmp_path: Path, curriculum: manifest.Curriculum
) -> None:
    text = to_markdown(scored_run(tmp_path, curriculum))
    automated, mentor = text.split("## Mentor rubric")
    assert "score: **10 / 10** points (automated tests)" in automated
    assert "mentor rubric: **4 / 5**" in automated
    assert "Scored by hand by Dr. Ada Lovelace for sam on 2025-03-14" in mentor
    assert "| `week1.adder` Add two numbers | 4 / 5 | Clear \\| and tested. |" in mentor


def test_cli_report_adds_the_rubric(tmp_path: Path, course_dir: Path) -> None:
    out = tmp_path / "out"
    path = write(tmp_path, GOOD)
    result = runner.invoke(
        app,
        ["report", "--out", str(out), "--target", "solution", "--rubric", str(path)]
        + ["--root", str(course_dir)],
        env={"COLUMNS": "160"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Mentor rubric (Dr. Ada Lovelace, 2025-03-14): 4 / 5" in result.output
    data = json.loads((out / "report.json").read_text())
    assert data["earned"] == 10 and data["mentor"]["scores"][0]["id"] == "week1.adder"
    assert "## Mentor rubric" in (out / "report.md").read_text()


def test_cli_report_rejects_a_bad_rubric_before_grading(tmp_path: Path, course_dir: Path) -> None:
    out = tmp_path / "out"
    path = write(tmp_path, GOOD.replace("score = 4", "score = 7"))
    result = runner.invoke(
        app,
        ["report", "--out", str(out), "--rubric", str(path), "--root", str(course_dir)],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 2
    assert "score 7 is outside 0..5" in result.output
    assert not (out / "report.json").exists(), "nothing is graded with an invalid rubric"
