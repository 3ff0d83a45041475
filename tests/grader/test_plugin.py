"""The rxgrade pytest plugin, run on a tiny generated course with ``pytester``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from grader._target import resolve_target

from .conftest import SOLUTION, STUB


def run(course: pytest.Pytester, *args: str) -> pytest.RunResult:
    return course.runpytest_subprocess("weeks/week1", "-p", "no:randomly", *args)


def test_stub_reports_not_started_with_first_hint(course: pytest.Pytester) -> None:
    result = run(course, "-v")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*test_small NOT STARTED*",
            "*week1.adder*not started*0 / 10*",
            "*week1.later*coming*",
            "*Hint 1/2: Use the plus sign.*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "2 not started" in result.stdout.str()


def test_solution_target_passes_with_full_points(course: pytest.Pytester) -> None:
    result = run(course, "--target", "solution")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*week1.adder*passing*10 / 10*"])


def test_environment_variable_selects_the_target(
    course: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RXGRADE_TARGET", "solution")
    assert run(course).ret == 0


def test_wrong_answer_is_failing_with_partial_points_and_message(course: pytest.Pytester) -> None:
    (course.path / "weeks/week1/adder.py").write_text(
        STUB.replace("raise NotImplementedError", "return abs(a) + abs(b)")
    )
    result = run(course, "--rxgrade-json=report.json")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*week1.adder*failing*5 / 10*1/2 tests pass; test_negative*"])
    assert "should be -3" in result.stdout.str()
    report = json.loads((course.path / "report.json").read_text())
    assert report["schema"] == "rxgrade.report/1"
    entry = next(d for d in report["deliverables"] if d["id"] == "week1.adder")
    assert entry["state"] == "failing"
    assert entry["earned"] == 5
    assert [t["outcome"] for t in entry["tests"]] == ["passed", "failed"]


def test_markdown_and_junit_reports_name_the_deliverable(course: pytest.Pytester) -> None:
    result = run(course, "--target=solution", "--rxgrade-markdown=r.md", "--junitxml=j.xml")
    assert result.ret == 0
    markdown = (course.path / "r.md").read_text()
    assert "`week1.adder`" in markdown and "10 / 10" in markdown and "coming" in markdown
    tree = ET.parse(course.path / "j.xml")
    values = {p.get("value") for p in tree.iter("property") if p.get("name") == "deliverable"}
    assert values == {"week1.adder"}


def test_manifest_timeout_applies_per_test(course: pytest.Pytester) -> None:
    (course.path / "weeks/week1/adder.py").write_text(
        STUB.replace("raise NotImplementedError", "import time; time.sleep(60)")
    )
    result = run(course, "-k", "small")
    assert result.ret == 1
    assert "Timeout" in result.stdout.str()
    result.stdout.fnmatch_lines(["*week1.adder*failing*"])


def test_missing_stub_file_names_the_path(course: pytest.Pytester) -> None:
    (course.path / "weeks/week1/adder.py").unlink()
    result = run(course)
    assert result.ret == 1
    assert "weeks/week1/adder.py" in result.stdout.str()


def test_plugin_is_inert_outside_a_course(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_ok():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == 0
    assert "rxgrade" not in result.stdout.str()


def test_learner_files_are_not_modified(course: pytest.Pytester) -> None:
    before = {p: p.read_bytes() for p in (course.path / "weeks").rglob("*.py")}
    run(course)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize(
    ("option", "env", "ini", "expected"),
    [
        (None, None, None, "learner"),
        (None, None, "solution", "solution"),
        (None, "solution", "learner", "solution"),
        ("learner", "solution", "solution", "learner"),
    ],
)
def test_target_resolution_order(
    monkeypatch: pytest.MonkeyPatch, option, env, ini, expected
) -> None:
    if env is None:
        monkeypatch.delenv("RXGRADE_TARGET", raising=False)
    else:
        monkeypatch.setenv("RXGRADE_TARGET", env)
    assert resolve_target(option, ini) == expected


def test_bad_target_value_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RXGRADE_TARGET", "teacher")
    with pytest.raises(ValueError, match="RXGRADE_TARGET is 'teacher'"):
        resolve_target(None, None)


def test_not_started_message_points_at_the_stub_line(course: pytest.Pytester) -> None:
    run(course, "--rxgrade-json=report.json")
    report = json.loads((course.path / "report.json").read_text())
    messages = {t["message"] for d in report["deliverables"] for t in d["tests"]}
    assert messages == {"add() in weeks/week1/adder.py:8 still raises NotImplementedError"}


PROPERTY_TESTS = """
from hypothesis import given, strategies as st

CALLS = []


@given(st.integers(), st.integers())
def test_property(impl, a, b):
    CALLS.append((a, b))
    assert impl.add(a, b) == a + b, f"add({a}, {b})"


def test_calls_made_by_the_property_test():
    print("CALLS", len(CALLS))
"""


def test_an_untouched_stub_ends_a_property_test_at_its_first_example(
    course: pytest.Pytester,
) -> None:
    """Hypothesis would shrink and explain a NotImplementedError like any bug (a second or more
    per test): the first example ends the test, "not started", at the stub's line."""
    (course.path / "weeks/week1/tests/test_adder.py").write_text(PROPERTY_TESTS)
    result = run(course, "-s", "--rxgrade-json=report.json")
    assert "CALLS 1" in result.stdout.str(), result.stdout.str()
    report = json.loads((course.path / "report.json").read_text())
    tests = {t["nodeid"].rsplit("::", 1)[-1]: t for d in report["deliverables"] for t in d["tests"]}
    assert tests["test_property"]["outcome"] == "not started"
    assert tests["test_property"]["message"] == (
        "add() in weeks/week1/adder.py:8 still raises NotImplementedError"
    )
    # a wrong answer is still a failure Hypothesis shrinks to its smallest example
    (course.path / "weeks/week1/adder.py").write_text(SOLUTION.replace("a + b", "a - b"))
    result = run(course, "--rxgrade-json=report.json")
    report = json.loads((course.path / "report.json").read_text())
    tests = {t["nodeid"].rsplit("::", 1)[-1]: t for d in report["deliverables"] for t in d["tests"]}
    assert tests["test_property"]["outcome"] == "failed"
    assert "add(0, 1)" in tests["test_property"]["message"], tests["test_property"]["message"]


def test_exercise_fixture_resolves_other_entries_for_the_same_target(
    course: pytest.Pytester,
) -> None:
    (course.path / "weeks/week1/tests/test_adder.py").write_text(
        "def test_sibling(exercise, target):\n"
        "    module = exercise('week1.adder')\n"
        "    prefix = 'weeks' if target == 'learner' else 'solutions'\n"
        "    assert module.__name__ == prefix + '.week1.adder', module.__name__\n"
        "    assert exercise.path('week1.adder').name == 'adder.py'\n"
        "    assert exercise.path('week1.adder').parent.name == 'week1'\n"
        "    assert module.add(2, 3) == 5\n"
    )
    run(course, "--target", "solution").stdout.fnmatch_lines(["*1 passed*"])
    run(course).stdout.fnmatch_lines(["*not started*"])
    (course.path / "weeks/week1/tests/test_adder.py").write_text(
        "def test_unknown(exercise):\n    exercise('week1.nope')\n"
    )
    run(course, "--target", "solution").stdout.fnmatch_lines(
        ["*week1.nope is not an entry of curriculum.toml*"]
    )


def test_learner_root_grades_the_learners_weeks_not_the_mentors(
    course: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # the mentor's checkout keeps the stub; the learner's copy of weeks/ holds a solved one
    learner = tmp_path_factory.mktemp("learner")
    for rel in ("weeks/__init__.py", "weeks/week1/__init__.py"):
        (learner / rel).parent.mkdir(parents=True, exist_ok=True)
        (learner / rel).write_text("")
    solved = STUB.replace("raise NotImplementedError", "return a + b")
    (learner / "weeks/week1/adder.py").write_text(solved)
    result = run(course, f"--rxgrade-learner-root={learner}", "--rxgrade-json=report.json")
    assert result.ret == 0, result.stdout.str()
    report = json.loads((course.path / "report.json").read_text())
    entry = next(d for d in report["deliverables"] if d["id"] == "week1.adder")
    assert entry["state"] == "passing" and report["root"] == str(learner)
    # and the mentor's own stub is still what a run without the option grades
    assert run(course).ret == 1


def test_a_stub_that_does_not_import_is_one_short_failure(course: pytest.Pytester) -> None:
    (course.path / "weeks/week1/adder.py").write_text("def add(a, b:\n    return a + b\n")
    result = run(course, "--rxgrade-json=report.json")
    assert result.ret == 1
    out = result.stdout.str()
    assert "weeks/week1/adder.py:1: SyntaxError: '(' was never closed" in out
    assert "Traceback" not in out and "During handling" not in out
    report = json.loads((course.path / "report.json").read_text())
    messages = [t["message"] for d in report["deliverables"] for t in d["tests"]]
    assert messages[0].startswith("weeks/week1/adder.py:1: SyntaxError"), messages
    assert messages[1].startswith("not run: the module under test does not import"), messages


def test_the_not_started_guard_keeps_hypothesis_drawing_the_same_examples() -> None:
    """With derandomize, Hypothesis seeds each test from its function's source and signature:
    the guard the plugin wraps around a property test must not change them (or every graded
    example, and so a grade, would change with it)."""
    from hypothesis.internal.reflection import function_digest

    from grader.plugin import _stop_at_not_implemented

    def test_something(impl, a: int, b: int) -> None:
        assert impl.add(a, b) == a + b

    def test_other(impl, a: int) -> None:
        assert impl.add(a, 0) == a

    guarded = _stop_at_not_implemented(test_something)
    assert function_digest(guarded) == function_digest(test_something)
    assert function_digest(guarded) != function_digest(_stop_at_not_implemented(test_other))
