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


# -- per-criterion scores on a published rubric -------------------------------------------------
ADDER_RUBRIC = """
[[mentor_rubric]]
id = "naming"
name = "Naming"
looks_for = "Names say what the values are."

[mentor_rubric.levels]
1 = "Single letters everywhere."
3 = "Mostly clear names."
5 = "Every name reads as prose."

[[mentor_rubric]]
id = "tests"
name = "Test design"
looks_for = "Edge cases chosen on purpose."

[mentor_rubric.levels]
1 = "One happy-path test."
2 = "Negative numbers too."
3 = "Edge cases argued for."
"""

PER_CRITERION = """
mentor = "M"
date = 2025-03-14

[week1.adder]
scores = { naming = 4, tests = 2.5 }
comment = "Tidy."
"""


@pytest.fixture
def published(course_dir: Path) -> manifest.Curriculum:
    """The tiny course with a two-criterion mentor rubric on week1.adder (maxima 5 and 3)."""
    with (course_dir / "curriculum" / "week1" / "adder.toml").open("a") as fh:
        fh.write(ADDER_RUBRIC)
    return manifest.load(course_dir)


def test_per_criterion_scores_sum_to_the_deliverable_score(
    tmp_path: Path, published: manifest.Curriculum
) -> None:
    scores = rubric.load(write(tmp_path, PER_CRITERION), published)
    (score,) = scores.scores
    assert (score.score, score.max, score.comment) == (6.5, 8.0, "Tidy.")
    assert [(c.id, c.name, c.score, c.max) for c in score.criteria] == [
        ("naming", "Naming", 4.0, 5.0),
        ("tests", "Test design", 2.5, 3.0),
    ]
    assert (scores.total, scores.maximum) == (6.5, 8.0)


def test_the_single_score_format_still_works_beside_a_published_rubric(
    tmp_path: Path, published: manifest.Curriculum
) -> None:
    (score,) = rubric.load(write(tmp_path, GOOD), published).scores
    assert (score.score, score.max, score.criteria) == (4.0, 5.0, [])


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        pytest.param(
            "{ naming = 4, tests = 2, style = 1 }",
            "no criterion 'style'; the published criteria of week1.adder are: naming, tests",
            id="unknown",
        ),
        pytest.param(
            "{ namig = 4, tests = 2 }", "no criterion 'namig' (did you mean naming?)", id="typo"
        ),
        pytest.param("{ naming = 4 }", "score every criterion; missing tests", id="missing"),
        pytest.param(
            "{ naming = 4, tests = 4 }",
            "tests = 4 is outside 0..3 (the levels of 'Test design' go up to 3)",
            id="above-top-level",
        ),
        pytest.param(
            '{ naming = "good", tests = 1 }', "naming must be a number, got 'good'", id="text"
        ),
        pytest.param("4", "scores must be a table of criterion = score", id="not-a-table"),
    ],
)
def test_bad_criterion_scores_are_clear_errors(
    tmp_path: Path, published: manifest.Curriculum, scores: str, expected: str
) -> None:
    text = f'mentor = "M"\ndate = 2025-03-14\n[week1.adder]\nscores = {scores}\n'
    message = problems(tmp_path, published, text)
    assert f"[week1.adder]: {expected}" in message, message


def test_score_and_scores_together_are_refused(
    tmp_path: Path, published: manifest.Curriculum
) -> None:
    text = PER_CRITERION.replace("scores =", "score = 3\nscores =")
    assert "either one overall score (score, max) or per-criterion scores" in problems(
        tmp_path, published, text
    )


def test_criteria_need_a_published_rubric(tmp_path: Path, curriculum: manifest.Curriculum) -> None:
    message = problems(tmp_path, curriculum, PER_CRITERION)
    assert "[week1.adder]: this deliverable publishes no rubric criteria" in message


def test_per_criterion_scores_round_trip_and_render(
    tmp_path: Path, published: manifest.Curriculum
) -> None:
    outcomes = {"week1.adder": [results.TestOutcome("t::test_small", "passed")]}
    run = rubric.attach(
        summarise(published, outcomes, "solution"),
        rubric.load(write(tmp_path, PER_CRITERION), published),
    )
    data = json.loads(json.dumps(run.to_json()))
    assert data["mentor"]["scores"][0]["criteria"][1] == {
        "id": "tests",
        "name": "Test design",
        "score": 2.5,
        "max": 3.0,
    }
    old = json.loads(json.dumps(data))  # from_json consumes its input
    assert Run.from_json(data).mentor == run.mentor
    del old["mentor"]["scores"][0]["criteria"]
    assert Run.from_json(old).mentor.scores[0].criteria == [], "reports written before still load"
    mentor = to_markdown(run).split("## Mentor rubric")[1]
    assert "| `week1.adder` Add two numbers | 6.5 / 8 | Tidy. |" in mentor
    assert "| ↳ Naming (`naming`) | 4 / 5 | |" in mentor
    assert "| ↳ Test design (`tests`) | 2.5 / 3 | |" in mentor


# -- rxgrade rubric ------------------------------------------------------------------------------
def invoke(*args: str) -> object:
    return runner.invoke(app, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


def test_cli_rubric_shows_the_published_criteria(
    course_dir: Path, published: manifest.Curriculum
) -> None:
    result = invoke("rubric", "week1.adder", "--root", str(course_dir))
    assert result.exit_code == 0, result.output
    for expected in (
        "week1.adder: Add two numbers",
        "Mentor rubric: 2 criteria, 0 to 8 in all",
        "naming: Naming (0-5)",
        "looks for: Edge cases chosen on purpose.",
        "2: Negative numbers too.",
    ):
        assert expected in result.output, result.output
    listing = invoke("rubric", "--root", str(course_dir))
    assert "1 deliverables publish a mentor rubric" in listing.output
    assert "week1.adder: Add two numbers (naming, tests)" in listing.output


def test_cli_rubric_template_is_a_valid_scores_file(
    tmp_path: Path, course_dir: Path, published: manifest.Curriculum
) -> None:
    result = invoke("rubric", "week1.adder", "--template", "--root", str(course_dir))
    assert "scores = { naming = 0, tests = 0 }" in result.output, result.output
    text = result.output.replace('"Your Name"', '"M"')
    (score,) = rubric.load(write(tmp_path, text), published).scores
    assert [c.id for c in score.criteria] == ["naming", "tests"]


def test_cli_rubric_without_criteria_and_unknown_ids(course_dir: Path) -> None:
    result = invoke("rubric", "week1.adder", "--root", str(course_dir))
    assert result.exit_code == 0 and "No mentor rubric is published" in result.output
    unknown = invoke("rubric", "week1.nope", "--root", str(course_dir))
    assert unknown.exit_code == 2 and "No exercise 'week1.nope'" in unknown.output


def test_the_documented_example_scores_the_real_course(tmp_path: Path) -> None:
    """docs/grading.md's example scores file is valid against the published criteria."""
    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "grading.md").read_text(encoding="utf-8")
    example = text.split("**Scoring.**", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    scores = rubric.load(write(tmp_path, example), manifest.load(root))
    by_id = {s.id: s for s in scores.scores}
    assert [c.id for c in by_id["week6.star_stories"].criteria] == [
        "structure",
        "ownership",
        "impact",
        "range",
    ]
    assert by_id["week6.tradeoff_analyses"].criteria == []


def test_the_module_docstring_example_scores_the_real_course(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    example = rubric.__doc__.split("::\n", 1)[1].split("\nEvery table", 1)[0]
    text = "\n".join(line.removeprefix("    ") for line in example.splitlines())
    scores = rubric.load(write(tmp_path, text), manifest.load(root))
    assert [s.id for s in scores.scores if s.criteria] == ["week1.efficientnet_blog"]
