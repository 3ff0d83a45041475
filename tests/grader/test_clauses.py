"""Spec clauses (``grader.clauses``): each tagged sentence of a stub is checked by a test, and
the ``reference`` fixture and the Hypothesis profile that differential tests rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import manifest
from grader.clauses import clauses_of
from grader.verify import verify

from .conftest import STUB

TAGGED = STUB.replace(
    '"""Return a + b."""', '"""Return a + b. [#sum] Works for negatives. [#neg]"""'
)


def test_clauses_are_read_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "stub.py"
    path.write_text('"""x[0] is not a tag.\n\nA tie goes left. [#ties] [#ties]\n[#b-2]"""\n')
    assert clauses_of(path) == {"ties": 3, "b-2": 4}


def _course(course_dir: Path, tests: str) -> manifest.Curriculum:
    (course_dir / "weeks/week1/adder.py").write_text(TAGGED)
    (course_dir / "weeks/week1/tests/test_adder.py").write_text(tests)
    return manifest.load(course_dir)


def test_verify_reports_an_untested_clause(course_dir: Path) -> None:
    curriculum = _course(
        course_dir,
        "import pytest\n\n@pytest.mark.clause('sum')\ndef test_small(impl):\n"
        "    assert impl.add(1, 2) == 3\n",
    )
    problems = [str(p) for p in verify(curriculum, run_mutants=False)]
    assert problems == [
        "week1.adder: clause [#neg] (weeks/week1/adder.py:6) is checked by no test that passes "
        'on the solution: mark one @pytest.mark.clause("neg")'
    ], problems


def test_verify_reports_a_marker_naming_no_clause(course_dir: Path) -> None:
    curriculum = _course(
        course_dir,
        "import pytest\n\n@pytest.mark.clause('sum', 'neg', 'negatives')\n"
        "def test_small(impl):\n    assert impl.add(1, -2) == -1\n",
    )
    problems = [str(p) for p in verify(curriculum, run_mutants=False)]
    assert problems == [
        'week1.adder: a test is marked clause("negatives") but weeks/week1/adder.py tags no '
        "[#negatives]"
    ], problems


def test_all_clauses_checked_is_clean_and_reported_per_test(course: pytest.Pytester) -> None:
    (course.path / "weeks/week1/adder.py").write_text(TAGGED)
    (course.path / "weeks/week1/tests/test_adder.py").write_text(
        "import pytest\n\n@pytest.mark.clause('sum', 'neg')\ndef test_small(impl):\n"
        "    assert impl.add(1, -2) == -1\n"
    )
    course.runpytest_subprocess("weeks/week1", "--target=solution", "--rxgrade-json=r.json")
    report = json.loads((course.path / "r.json").read_text())
    (test,) = next(d for d in report["deliverables"] if d["id"] == "week1.adder")["tests"]
    assert test["clauses"] == ["neg", "sum"] and test["outcome"] == "passed"


def test_reference_fixture_is_the_solution_for_every_target(course: pytest.Pytester) -> None:
    (course.path / "weeks/week1/tests/test_adder.py").write_text(
        "from hypothesis import given, settings, strategies as st\n"
        "from grader import differential as diff\n\n"
        "def test_reference_is_the_solution(reference):\n"
        "    assert reference.__name__ == 'solutions.week1.adder'\n\n"
        "@given(a=st.integers(), b=st.integers())\n"
        "def test_agrees_with_the_reference(impl, reference, a, b):\n"
        "    assert settings().derandomize and settings().deadline is None\n"
        "    diff.assert_same(impl.add, reference.add, a, b)\n"
    )
    result = course.runpytest_subprocess("weeks/week1", "--target=solution", "-v")
    result.stdout.fnmatch_lines(["*test_reference_is_the_solution PASSED*", "*2 passed*"])
    with pytest.MonkeyPatch.context() as env:  # Hypothesis picks its "ci" profile when CI is set
        env.setenv("CI", "true")
        result = course.runpytest_subprocess("weeks/week1", "--target=solution", "-v")
    result.stdout.fnmatch_lines(["*2 passed*"])
    result = course.runpytest_subprocess("weeks/week1", "-v")
    result.stdout.fnmatch_lines(
        ["*test_reference_is_the_solution PASSED*", "*test_agrees_with_the_reference NOT STARTED*"]
    )
