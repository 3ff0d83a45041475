"""``rxgrade mock``: drawing, timing, grading and recording mock interviews; the mock log parser."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from grader import manifest, mock, star, written
from grader.cli import app

runner = CliRunner()

WEEK6 = """

[[weeks]]
number = 6
title = "Drills"
objectives = ["drill"]

[[weeks.days]]
name = "tuesday"
title = "Coding"
study = ["read"]
hands_on = ["code"]

[[weeks.days.deliverables]]
id = "week6.adder"
title = "Drill: add two numbers"
kind = "code"
points = 5
seed = "Adder"
source = "doc"
difficulty = "easy"
timebox = 15
timeout = 5
summary = "Write add(a, b) returning the sum."
hints = ["Use the plus sign."]

[[weeks.days.deliverables]]
id = "week6.doubler"
title = "Drill: double a number"
kind = "code"
points = 10
seed = "Adder"
source = "doc"
difficulty = "hard"
timebox = 30
timeout = 5
summary = "Write double(x) returning 2 * x."
hints = ["Multiply by two."]

[[weeks.days.deliverables]]
id = "week6.someday"
title = "Drill: not written yet"
kind = "code"
points = 5
seed = "Later"
source = "doc"
difficulty = "easy"
timebox = 10
status = "planned"
hints = ["wait"]
"""

STUB = '__all__ = ["{name}"]\n\n\ndef {name}(a, b=0):\n    raise NotImplementedError\n'
SOLUTION = '__all__ = ["{name}"]\n\n\ndef {name}(a, b=0):\n    return {body}\n'
FILES = {
    "weeks/week6/__init__.py": "",
    "solutions/week6/__init__.py": "",
    "weeks/week6/adder.py": STUB.format(name="add"),
    "solutions/week6/adder.py": SOLUTION.format(name="add", body="a + b"),
    "weeks/week6/tests/test_adder.py": "def test_add(impl):\n    assert impl.add(1, 2) == 3\n",
    "weeks/week6/doubler.py": STUB.format(name="double"),
    "solutions/week6/doubler.py": SOLUTION.format(name="double", body="2 * a"),
    "weeks/week6/tests/test_doubler.py": "def test_double(impl):\n    assert impl.double(2) == 4\n",
}


@pytest.fixture
def drill_course(course_dir: Path) -> Path:
    """The tiny course plus a week 6 with two timed drills (easy, hard) and a planned one."""
    with (course_dir / "curriculum.toml").open("a") as fh:
        fh.write(WEEK6)
    for rel, text in FILES.items():
        (course_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (course_dir / rel).write_text(text)
    return course_dir


@pytest.fixture
def curriculum(drill_course: Path) -> manifest.Curriculum:
    return manifest.load(drill_course)


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "design.md").write_text("# Design\n\nRequirements first: 50M photos a day.\n")
    (folder / "behavioural.md").write_text("# Story\n\nI measured it and I fixed it.\n")
    return folder


def fake_clock(*times: float) -> Iterator[float]:
    return iter(times)


def quiet() -> Console:
    return Console(file=io.StringIO(), width=120)


def fake_grade(curriculum: manifest.Curriculum, part: mock.Part, target: str) -> dict:
    return {"state": "passing", "passed": 1, "total": 1, "earned": 5.0, "points": 5, "detail": ""}


# -- drawing --------------------------------------------------------------------------------------
def test_coding_drills_are_ready_timed_week6_code_entries(
    curriculum: manifest.Curriculum,
) -> None:
    assert [d.id for d in mock.coding_drills(curriculum)] == ["week6.adder", "week6.doubler"]
    assert [d.id for d in mock.coding_drills(curriculum, difficulty="hard")] == ["week6.doubler"]
    assert mock.coding_drills(curriculum, difficulty="medium") == []


def test_a_seed_gives_the_same_session(curriculum: manifest.Curriculum) -> None:
    first = mock.plan_session(curriculum, seed=11)
    again = mock.plan_session(curriculum, seed=11)
    assert first == again
    assert [p.kind for p in first.parts] == ["coding", "design", "behavioural"]
    only_design = mock.plan_session(curriculum, seed=11, parts=["design"])
    assert only_design.parts == (first.parts[1],), "dropping parts must not change the draws"
    drawn = {mock.plan_session(curriculum, seed=s).parts[0].id for s in range(30)}
    assert drawn == {"week6.adder", "week6.doubler"}, "every drill can be drawn"


def test_parts_show_the_drill_prompt_time_box_and_files(curriculum: manifest.Curriculum) -> None:
    plan = mock.plan_session(curriculum, seed=1, difficulty="hard")
    coding, design, behavioural = plan.parts
    assert (coding.id, coding.timebox, coding.module, coding.tests) == (
        "week6.doubler",
        30,
        "weeks/week6/doubler.py",
        "weeks/week6/tests/test_doubler.py",
    )
    assert coding.prompt == "Write double(x) returning 2 * x."
    assert design.id in {p.id for p in mock.DESIGN_PROMPTS} and design.timebox == 45
    assert behavioural.timebox == mock.BEHAVIOURAL_TIMEBOX and behavioural.themes


def test_nothing_to_draw_is_a_clear_error(curriculum: manifest.Curriculum) -> None:
    with pytest.raises(mock.MockError, match="difficulty 'medium'"):
        mock.plan_session(curriculum, difficulty="medium")
    with pytest.raises(mock.MockError, match="parts must be"):
        mock.plan_session(curriculum, parts=["coding", "lunch"])
    with pytest.raises(mock.MockError, match="no behavioural question on 'astrology'"):
        mock.plan_session(curriculum, theme="astrology")
    plan = mock.plan_session(curriculum, difficulty="medium", parts=["design"])
    assert [p.kind for p in plan.parts] == ["design"], "no drill is needed without a coding part"


def test_fresh_design_and_theme_filters(curriculum: manifest.Curriculum) -> None:
    fresh = {
        mock.plan_session(curriculum, seed=s, fresh_design=True).parts[1].id for s in range(20)
    }
    assert fresh <= {p.id for p in mock.FRESH_DESIGN_PROMPTS} and len(fresh) > 1
    for seed in range(10):
        question = mock.plan_session(curriculum, seed=seed, theme="failure").parts[2]
        assert "failure" in question.themes, question


def test_question_bank_covers_every_competency_of_the_story_bank() -> None:
    themes = {theme for q in mock.BEHAVIOURAL_QUESTIONS for theme in q.themes}
    missing = [c for c in star.COMPETENCIES if c not in themes]
    assert not missing, f"no behavioural question on {missing}"
    ids = [q.id for q in mock.BEHAVIOURAL_QUESTIONS]
    assert len(ids) == len(set(ids)), "question ids must be unique"


# -- running ---------------------------------------------------------------------------------------
def test_each_part_is_timed_graded_and_recorded(
    curriculum: manifest.Curriculum, answers: Path
) -> None:
    plan = mock.plan_session(curriculum, seed=5, difficulty="easy")
    clock = fake_clock(0.0, 600.0, 1000.0, 4000.0, 4000.0, 4030.5)
    session = mock.run_session(
        plan,
        curriculum,
        target="solution",
        answers=answers,
        console=quiet(),
        clock=lambda: next(clock),
        grade=fake_grade,
    )
    coding, design, behavioural = session.parts
    assert (coding.seconds, coding.over_time) == (600.0, False), "15-minute box, 10 minutes used"
    assert (design.seconds, design.over_time) == (3000.0, True), "45-minute box, 50 minutes used"
    assert behavioural.seconds == 30.5
    assert coding.result is not None and coding.result["state"] == "passing"
    assert design.answer == str(answers / "design.md") and design.words > 0
    assert session.mode == "answers" and session.target == "solution" and session.seed == 5
    recorded = mock.history(curriculum.root)
    assert [s.to_json() for s in recorded] == [session.to_json()]
    assert mock.sessions_path(curriculum.root).parent == Path(os.environ["RXGRADE_HOME"])


def test_interactive_session_waits_and_writes_answer_files(
    curriculum: manifest.Curriculum,
) -> None:
    waits: list[str] = []
    plan = mock.plan_session(curriculum, seed=2, parts=["design", "behavioural"])
    ticks = iter(range(100))
    session = mock.run_session(
        plan,
        curriculum,
        console=quiet(),
        wait=waits.append,
        clock=lambda: float(next(ticks)),
        grade=fake_grade,
    )
    assert len(waits) == 4, "Enter to start and Enter when done, for each part"
    assert "start" in waits[0] and "done" in waits[1]
    design_file = Path(session.parts[0].answer)
    assert design_file.parent.parent == mock.sessions_path(curriculum.root).parent / "mock"
    assert plan.parts[0].prompt in design_file.read_text(), "the answer file repeats the prompt"
    assert session.mode == "interactive" and all(p.seconds == 1.0 for p in session.parts)


def test_a_missing_answer_file_stops_before_the_clock_starts(
    curriculum: manifest.Curriculum, answers: Path
) -> None:
    (answers / "behavioural.md").unlink()
    plan = mock.plan_session(curriculum, seed=3)
    with pytest.raises(mock.MockError, match="behavioural.md is missing"):
        mock.run_session(plan, curriculum, answers=answers, console=quiet(), grade=fake_grade)
    assert mock.history(curriculum.root) == [], "nothing is recorded"


def test_grade_coding_runs_the_drill_tests(curriculum: manifest.Curriculum) -> None:
    part = mock.plan_session(curriculum, seed=0, difficulty="easy").parts[0]
    solved = mock.grade_coding(curriculum, part, "solution")
    assert (solved["state"], solved["passed"], solved["total"], solved["earned"]) == (
        "passing",
        1,
        1,
        5.0,
    )
    stub = mock.grade_coding(curriculum, part, "learner")
    assert stub["state"] == "not started" and stub["earned"] == 0


# -- the CLI ---------------------------------------------------------------------------------------
def rxgrade(course: Path, *args: str, stdin: str | None = None):
    return runner.invoke(
        app, ["mock", *args, "--root", str(course)], env={"COLUMNS": "160"}, input=stdin
    )


def test_cli_runs_a_non_interactive_session(
    drill_course: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticks = fake_clock(0.0, 300.0, 300.0, 2000.0, 2000.0, 2700.0)
    monkeypatch.setattr(mock, "now", lambda: next(ticks))
    result = rxgrade(
        drill_course, "--seed", "4", "--difficulty", "easy", "--answers", str(answers),
        "--target", "solution",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Part 1/3 · coding · Drill: add two numbers" in result.output
    assert "time box 15 min" in result.output and "time box 45 min" in result.output
    assert "week6.adder: passing, 1/1 tests, 5/5 points" in result.output
    assert "05:00 of 15 min, in time" in result.output
    assert "over time" in result.output, "the behavioural part took 700 s of a 10-minute box"
    lines = mock.sessions_path(drill_course).read_text().splitlines()
    recorded = json.loads(lines[-1])
    assert recorded["parts"][0]["result"]["state"] == "passing"
    assert [p["seconds"] for p in recorded["parts"]] == [300.0, 1700.0, 700.0]


def test_cli_interactive_session_waits_for_enter(drill_course: Path) -> None:
    result = rxgrade(drill_course, "--parts", "design,behavioral", "--seed", "1", stdin="\n" * 4)
    assert result.exit_code == 0, result.output
    assert "Press Enter to start the clock" in result.output
    sessions = mock.history(drill_course)
    assert len(sessions) == 1 and sessions[0].mode == "interactive"
    assert [p.kind for p in sessions[0].parts] == ["design", "behavioural"]
    history = rxgrade(drill_course, "--history")
    assert sessions[0].id in history.output


def test_cli_abandoned_session_records_nothing(drill_course: Path) -> None:
    result = rxgrade(drill_course, "--parts", "design", stdin="\n")
    assert result.exit_code == 1 and "nothing was recorded" in result.output
    assert mock.history(drill_course) == []


def test_cli_rejects_bad_options(drill_course: Path, answers: Path) -> None:
    result = rxgrade(drill_course, "--difficulty", "extreme", "--answers", str(answers))
    assert result.exit_code == 2 and "easy, medium, hard" in result.output
    result = rxgrade(drill_course, "--difficulty", "medium", "--answers", str(answers))
    assert result.exit_code == 2 and "no ready week 6 coding drill" in result.output


def test_cli_help_documents_the_session(drill_course: Path) -> None:
    result = runner.invoke(app, ["mock", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for expected in ("coding drill", "time box", "--answers", "mock-sessions.jsonl", "--seed"):
        assert expected in text, f"`rxgrade mock --help` should mention {expected!r}"


# -- the learner's mock interview log ----------------------------------------------------------
LOG = """# Mock interview log

## Mock 1: System design

- Date: 2025-03-03
- Format: system design
- Interviewer: peer (Priya)
- Duration: 45 min
- Prompt: Design an image classifier for pills.

### Outline

- 00:00 Restated the prompt.
- 04:10 Latency budget.
- 1:02:03 Way over.

### Scores

| Dimension | Score | Evidence |
|---|---|---|
| Communication | 2 | quiet |
| Problem-solving | 3 | fine |
| Trade-offs | five | none |

### Gaps

1. G1: Jumped to the model.
2. G2: Silent estimates.

## Notes

Not a mock.

## Mock 2: Deep dive

- Date: 3 March
- Format: technical deep-dive

### Earlier gaps

- G1: asked first. G2 too, and G1 again.
"""


def test_parse_mock_log_reads_fields_outline_scores_gaps_and_follow_ups() -> None:
    first, second = mock.parse_mock_log(written.parse(LOG))
    assert (first.number, first.format, str(first.date), first.duration) == (
        1,
        "system design",
        "2025-03-03",
        45.0,
    )
    assert first.fields["interviewer"] == "peer (Priya)"
    assert first.timestamps == (0, 250, 3723)
    assert first.scores == {"communication": 2, "problem solving": 3, "trade-offs": None}
    assert list(first.gaps) == ["G1", "G2"] and first.followups == ()
    assert (second.number, second.format, second.date, second.duration) == (
        2,
        "technical deep dive",
        None,
        None,
    )
    assert second.followups == ("G1", "G2"), "ids in order, each once"
    assert first.evidence == {
        "communication": "quiet",
        "problem solving": "fine",
        "trade-offs": "none",
    }
    assert first.numbered and second.numbered
    assert mock.gap_text(first.gaps["G1"]) == "Jumped to the model."
    assert list(second.followup_notes) == ["G1", "G2"]
    assert second.followup_notes["G1"].startswith("asked first.")
