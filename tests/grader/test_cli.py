"""The rxgrade CLI and ``verify`` on the tiny generated course."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import manifest, verified
from grader.cli import app, resolve_exercise, watch_loop
from grader.state import State
from grader.verify import file_problems, verify

runner = CliRunner()


def rxgrade(course_dir: Path, *args: str):
    return runner.invoke(app, [*args, "--root", str(course_dir)], env={"COLUMNS": "160"})


def test_status_shows_weeks_and_the_first_hint(course_dir: Path) -> None:
    result = rxgrade(course_dir, "status")
    assert result.exit_code == 0, result.output
    assert "Week 1  Adding" in result.output
    assert "0/10 points" in result.output and "1 coming" in result.output
    assert "Next: week1.adder" in result.output
    assert "Hint 1/2: Use the plus sign." in result.output


def test_status_on_solutions_is_full_marks(course_dir: Path) -> None:
    result = rxgrade(course_dir, "status", "--target", "solution")
    assert result.exit_code == 0, result.output
    assert "10/10 points" in result.output
    assert "Everything graded here passes" in result.output


def test_hint_reveals_the_next_hint_and_remembers(course_dir: Path) -> None:
    """Hint 1 shows with every check, so `rxgrade hint` (as the check says) reveals hint 2."""
    assert "Hint 1/2: Use the plus sign." in rxgrade(course_dir, "status").output
    second = rxgrade(course_dir, "hint", "week1.adder")
    again = rxgrade(course_dir, "hint", "week1.adder")
    assert "Hint 2/2" in second.output and "return a + b" in second.output
    assert "Hint 2/2" in again.output and "last hint" in again.output
    assert "solutions/week1/adder.py" in again.output
    status = rxgrade(course_dir, "status")
    assert "Hint 2/2: return a + b" in status.output


def test_an_older_state_of_hints_read_in_order_still_counts(course_dir: Path) -> None:
    state = course_dir.parent / "state"
    state.mkdir(parents=True, exist_ok=True)
    (state / "state.json").write_text(json.dumps({"hints": {"week1.adder": 2}}))
    assert "Hint 2/2: return a + b" in rxgrade(course_dir, "status").output


TWO_PARTS_STUB = '''
__all__ = ["add", "sub"]


def add(a, b):
    """Return a + b. [#add]"""
    return a + b


def sub(a, b):
    """Return a - b. [#sub]"""
    raise NotImplementedError
'''

TWO_PARTS_TESTS = """
import pytest


@pytest.mark.clause("add")
def test_add(impl):
    assert impl.add(1, 2) == 3, "add(1, 2) should be 3"


@pytest.mark.clause("sub")
def test_sub(impl):
    assert impl.sub(3, 2) == 1, "sub(3, 2) should be 1"
"""

TWO_PARTS_HINTS = """hints = [
  { text = "About adding.", clauses = ["add"] },
  { text = "About subtracting.", clauses = ["sub"] },
  { text = "More about subtracting.", clauses = ["sub"] },
  "Everything: return a + b and a - b.",
]
"""


def test_the_hint_shown_is_about_the_first_test_not_passing(course_dir: Path) -> None:
    """Hints tagged with clauses follow the tests: with add done and sub not started, the
    check shows sub's first hint, and `rxgrade hint` reveals sub's next, not the next in line."""
    text = (course_dir / "curriculum.toml").read_text()
    start = text.index('hints = ["Use the plus sign."')
    end = text.index("\n", start) + 1
    (course_dir / "curriculum.toml").write_text(text[:start] + TWO_PARTS_HINTS + text[end:])
    (course_dir / "weeks/week1/adder.py").write_text(TWO_PARTS_STUB)
    (course_dir / "weeks/week1/tests/test_adder.py").write_text(TWO_PARTS_TESTS)
    check = rxgrade(course_dir, "check", "week1.adder")
    assert "Hint 2/4: About subtracting." in check.output, check.output
    revealed = rxgrade(course_dir, "hint", "week1.adder")
    assert "Hint 3/4" in revealed.output and "More about subtracting." in revealed.output
    assert "test_sub" in revealed.output, "it says which test the hint is about"
    assert "Hint 3/4: More about subtracting." in rxgrade(course_dir, "check", "adder").output
    again = rxgrade(course_dir, "hint", "week1.adder")
    assert "Hint 3/4" in again.output and "last hint for these tests" in again.output
    # once sub passes and add breaks, the hint is add's again
    (course_dir / "weeks/week1/adder.py").write_text(
        TWO_PARTS_STUB.replace("return a + b", "return a * b").replace(
            "raise NotImplementedError", "return a - b"
        )
    )
    assert "Hint 1/4: About adding." in rxgrade(course_dir, "check", "adder").output


def test_unknown_exercise_is_a_clear_error(course_dir: Path) -> None:
    result = rxgrade(course_dir, "hint", "week1.nope")
    assert result.exit_code == 2
    assert "No exercise 'week1.nope'" in result.output
    result = rxgrade(course_dir, "check", "week9")
    assert result.exit_code == 2
    assert "weeks 1-1" in result.output


def test_short_names_work_and_typos_get_a_suggestion(course_dir: Path) -> None:
    assert "Hint 2/2 for week1.adder" in rxgrade(course_dir, "hint", "adder").output
    typo = rxgrade(course_dir, "hint", "addr")
    assert typo.exit_code == 2 and "did you mean week1.adder?" in typo.output, typo.output
    assert "did you mean week1.adder" in rxgrade(course_dir, "check", "week1.addre").output
    assert rxgrade(course_dir, "check", "adder", "--target", "solution").exit_code == 0
    curriculum = manifest.load(course_dir)
    assert resolve_exercise(curriculum, "adder") == ("week1", "week1.adder")
    with pytest.raises(KeyError, match="No exercise 'zzz'"):
        curriculum.find("zzz")


def test_check_exit_code_follows_the_tests(course_dir: Path) -> None:
    assert rxgrade(course_dir, "check", "week1").exit_code == 1
    assert rxgrade(course_dir, "check", "week1", "adder", "--target", "solution").exit_code == 0


def test_check_records_progress_for_status_cached(course_dir: Path) -> None:
    rxgrade(course_dir, "check", "week1.adder", "--target", "solution")
    result = rxgrade(course_dir, "status", "--cached", "--target", "solution")
    assert "10/10 points" in result.output


def test_status_shows_the_last_grading_and_regrades_on_request(course_dir: Path) -> None:
    first = rxgrade(course_dir, "status")
    assert "0/10 points" in first.output and "Results of the last grading" not in first.output
    stub = course_dir / "weeks/week1/adder.py"
    stub.write_text(stub.read_text().replace("raise NotImplementedError", "return a + b"))
    cached = rxgrade(course_dir, "status")
    assert "Results of the last grading" in cached.output and "ago" in cached.output
    assert "0/10 points" in cached.output, "status without --regrade shows the last results"
    fresh = rxgrade(course_dir, "status", "--regrade")
    assert "10/10 points" in fresh.output, fresh.output


def test_check_shows_one_exercise_and_a_syntax_error_briefly(course_dir: Path) -> None:
    stub = course_dir / "weeks/week1/adder.py"
    stub.write_text("def add(a, b:\n    return a + b\n")
    result = rxgrade(course_dir, "check", "week1.adder")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) <= 40, result.output
    assert "SyntaxError" in result.output and "adder.py:1" in result.output
    assert "1 | def add(a, b:" in result.output, "the offending line is quoted"
    assert "Traceback" not in result.output
    assert "Hint 1/2" in result.output and "Week 1" in result.output


def test_check_verbose_shows_pytests_own_output(course_dir: Path) -> None:
    result = rxgrade(course_dir, "check", "week1.adder", "--verbose")
    assert result.exit_code == 1


def test_next_names_the_stub_and_tests(course_dir: Path) -> None:
    result = rxgrade(course_dir, "next")
    assert "edit  weeks/week1/adder.py" in result.output
    assert "tests weeks/week1/tests/test_adder.py" in result.output


def test_report_writes_json_markdown_and_junit(course_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = rxgrade(course_dir, "report", "--out", str(out), "--target", "solution")
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    assert data["schema"] == "rxgrade.report/1" and data["earned"] == 10
    assert "`week1.adder`" in (out / "report.md").read_text()
    assert 'name="deliverable"' in (out / "junit.xml").read_text()


def test_resolve_exercise_accepts_every_spelling(course_dir: Path) -> None:
    curriculum = manifest.load(course_dir)
    assert resolve_exercise(curriculum, "week1") == ("week1", None)
    assert resolve_exercise(curriculum, "1", "adder") == ("week1", "week1.adder")
    assert resolve_exercise(curriculum, "week1.adder") == ("week1", "week1.adder")
    with pytest.raises(KeyError):
        resolve_exercise(curriculum, "week1", "nope")


def test_watch_loop_reruns_once_per_batch_of_changes() -> None:
    codes = iter([1, 1, 0])
    seen: list[int] = []
    runs = watch_loop(lambda: next(codes), [{"a"}, {"b"}], on_result=seen.append)
    assert runs == 3 and seen == [1, 1, 0]


# -- verify -------------------------------------------------------------------------------------
def test_verify_passes_on_a_sound_course(course_dir: Path) -> None:
    result = rxgrade(course_dir, "verify")
    assert result.exit_code == 0, result.output
    assert "1 ready exercises verified" in result.output
    assert verified.stale(manifest.load(course_dir)) == []


def test_verify_records_what_it_checked_and_a_change_makes_it_stale(course_dir: Path) -> None:
    curriculum = manifest.load(course_dir)
    assert verified.recorded(course_dir) == {} and verified.stale(curriculum) == ["week1.adder"]
    result = rxgrade(course_dir, "verify", "--no-mutations")
    assert result.exit_code == 0, result.output
    assert verified.recorded(course_dir) == {}, "a verify without mutation runs records nothing"
    result = rxgrade(course_dir, "verify", "week1.adder")
    assert result.exit_code == 0 and "1 exercise(s) verified" in result.output, result.output
    record = verified.recorded(course_dir)
    assert record == {"week1.adder": verified.fingerprint(curriculum, curriculum["week1.adder"])}
    deliverable = curriculum["week1.adder"]
    assert set(verified.files_of(curriculum, deliverable)) == set(
        dataclasses.astuple(deliverable.paths)
    )
    tests = course_dir / deliverable.tests
    tests.write_text(tests.read_text() + "\n# a comment changes the fingerprint\n")
    assert verified.stale(curriculum) == ["week1.adder"]


def test_a_fingerprint_covers_the_rxvision_modules_the_solution_imports(course_dir: Path) -> None:
    curriculum = manifest.load(course_dir)
    deliverable = curriculum["week1.adder"]
    before = verified.fingerprint(curriculum, deliverable)
    (course_dir / "rxvision/ops").mkdir(parents=True)
    (course_dir / "rxvision/__init__.py").write_text("")
    (course_dir / "rxvision/ops/__init__.py").write_text("")
    (course_dir / "rxvision/ops/add.py").write_text("def add(a, b):\n    return a + b\n")
    solution = course_dir / deliverable.solution
    solution.write_text("from rxvision.ops import add\n" + solution.read_text())
    assert "rxvision/ops/add.py" in verified.files_of(curriculum, deliverable)
    middle = verified.fingerprint(curriculum, deliverable)
    (course_dir / "rxvision/ops/add.py").write_text("def add(a, b):\n    return b + a\n")
    assert len({before, middle, verified.fingerprint(curriculum, deliverable)}) == 3


def test_verify_catches_a_stub_that_already_passes(course_dir: Path) -> None:
    stub = course_dir / "weeks/week1/adder.py"
    stub.write_text(stub.read_text().replace("raise NotImplementedError", "return a + b"))
    problems = verify(manifest.load(course_dir), run_mutants=False)
    assert any("passed on the stub" in str(p) for p in problems), problems


def test_verify_catches_a_failing_solution(course_dir: Path) -> None:
    solution = course_dir / "solutions/week1/adder.py"
    solution.write_text(solution.read_text().replace("a + b", "a * b"))
    problems = verify(manifest.load(course_dir), run_mutants=False)
    assert any("failed on the solution" in str(p) for p in problems), problems


def test_verify_catches_a_surviving_mutant(course_dir: Path) -> None:
    with (course_dir / "curriculum/week1/adder.toml").open("a") as fh:
        fh.write('[[mutants]]\nname = "commutes"\nwhy = "right after all"\n')
        fh.write('[[mutants.replace]]\nold = "a + b"\nnew = "b + a"\n')
    problems = verify(manifest.load(course_dir))
    assert [p.where for p in problems] == ["curriculum/week1/adder.toml [[mutants]] 'commutes'"], (
        problems
    )
    assert "survived" in problems[0].message


def test_verify_reports_orphans_and_missing_files(course_dir: Path) -> None:
    (course_dir / "weeks/week1/tests/test_stray.py").write_text("def test_x():\n    pass\n")
    (course_dir / "solutions/week1/adder.py").unlink()
    problems = [str(p) for p in file_problems(manifest.load(course_dir))]
    assert any("test_stray.py: belongs to no entry" in p for p in problems), problems
    assert any("solution file solutions/week1/adder.py is missing" in p for p in problems)


def test_verify_compares_public_api(course_dir: Path) -> None:
    solution = course_dir / "solutions/week1/adder.py"
    solution.write_text(solution.read_text().replace("b: int)", "b: int = 0)"))
    problems = verify(manifest.load(course_dir), run_tests=False)
    assert len(problems) == 1 and "add signature" in problems[0].message


def test_next_offers_core_exercises_before_stretch_ones() -> None:
    from grader.render import next_up
    from grader.results import TestOutcome, summarise

    curriculum = manifest.load(Path(__file__).resolve().parents[2])
    ready = [d for d in curriculum if not d.planned]
    stretch = next(d for d in ready if d.tier == "stretch")
    core = next(d for d in ready[ready.index(stretch) :] if d.tier == "core")
    started = TestOutcome("t", "not started")
    run = summarise(curriculum, {stretch.id: [started], core.id: [started]}, "learner")
    assert next_up(run).id == stretch.id, "roadmap order alone puts the stretch one first"
    assert next_up(run, curriculum).id == core.id


def test_the_last_hint_names_the_rxvision_module_that_holds_the_code(course_dir: Path) -> None:
    (course_dir / "rxvision").mkdir()
    (course_dir / "rxvision/__init__.py").write_text("")
    (course_dir / "rxvision/adding.py").write_text("def add(a, b):\n    return a + b\n")
    (course_dir / "solutions/week1/adder.py").write_text("from rxvision.adding import add\n")
    for _ in range(2):
        result = rxgrade(course_dir, "hint", "week1.adder")
    assert "imports its code from rxvision/adding.py" in result.output, result.output


def test_a_test_no_hint_is_about_gets_the_general_hints(course_dir: Path) -> None:
    text = (course_dir / "curriculum.toml").read_text()
    start = text.index('hints = ["Use the plus sign."')
    end = text.index("\n", start) + 1
    (course_dir / "curriculum.toml").write_text(text[:start] + TWO_PARTS_HINTS + text[end:])
    adder = manifest.load(course_dir)["week1.adder"]
    assert State.group(adder, ["sub", "other"]) == [1, 2]
    assert State.group(adder, ["other"]) == [3], "only the untagged hint, not sub's or add's"
    assert State.group(adder, []) == [3]
