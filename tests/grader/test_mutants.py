"""Mutants (``grader.mutants``), the mutation session, and what ``rxgrade verify`` makes of them.

A mutant is caught only when it built and a test then failed in its call phase: a stale edit, a
mutant that raises at import, or a fixture that errors in set-up is never counted as a catch.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import manifest, mutants
from grader.cli import app
from grader.verify import verify

from .conftest import SOLUTION

ENTRY = "curriculum/week1/adder.toml"


def mutant(name: str, old: str, new: str, why: str = "wrong", extra: str = "") -> str:
    """One ``[[mutants]]`` table with one edit, as an author writes it."""
    return textwrap.dedent(
        f"""
        [[mutants]]
        name = "{name}"
        why = "{why}"
        {extra}
        [[mutants.replace]]
        old = {json.dumps(old)}
        new = {json.dumps(new)}
        """
    )


def write_mutants(root: Path, *tables: str) -> None:
    (root / ENTRY).write_text("".join(tables))


def load(root: Path) -> list[mutants.Mutant]:
    curriculum = manifest.load(root)
    return mutants.load(curriculum, curriculum["week1.adder"])


# -- the format ---------------------------------------------------------------------------------
def test_a_mutant_is_parsed_with_its_key_and_default_file(course_dir: Path) -> None:
    write_mutants(course_dir, mutant("subtracts", "a + b", "a - b", why="subtracts"))
    (found,) = load(course_dir)
    assert (found.key, found.why, found.file) == (
        "week1.adder:subtracts",
        "subtracts",
        "solutions/week1/adder.py",
    )
    text = mutants.patched_text(found, course_dir)
    assert "return a - b" in text
    assert "a + b" in (course_dir / "solutions/week1/adder.py").read_text()  # not touched


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[[mutants]]\nwhy = "x"\n', "`name` must be snake_case"),
        ('[[mutants]]\nname = "Bad-Name"\nwhy = "x"\n', "`name` must be snake_case"),
        ('[[mutants]]\nname = "a"\n[[mutants.replace]]\nold = "a"\nnew = "b"\n', "`why`"),
        ('[[mutants]]\nname = "a"\nwhy = "x"\n', "either"),
        (mutant("a", "a + b", "a + b"), "changes nothing"),
        (mutant("a", "", "x"), "empty `old`"),
        (mutant("a", "a", "b", extra='colour = "red"'), "unknown field"),
        (mutant("a", "a", "b", extra='file = "setup.py"'), "not a file"),
        (mutant("a", "a", "b", extra='file = "doc.md"'), "rxvision/"),
        (mutant("a", "a", "b") + mutant("a", "b", "c"), "used twice"),
        (
            '[[mutants]]\nname = "a"\nwhy = "x"\noverride = "x = 1"\n'
            '[[mutants.replace]]\nold = "a"\nnew = "b"\n',
            "either",
        ),
    ],
)
def test_a_malformed_mutant_says_which_and_what(course_dir: Path, table: str, message: str):
    write_mutants(course_dir, table)
    with pytest.raises(mutants.MutantError, match=message) as err:
        load(course_dir)
    assert ENTRY in str(err.value)


@pytest.mark.parametrize(("old", "count"), [("a * b", 0), ("int", 3)])
def test_a_stale_edit_is_an_error_naming_the_mutant(course_dir: Path, old: str, count: int):
    write_mutants(course_dir, mutant("stale", old, "x"))
    (found,) = load(course_dir)
    with pytest.raises(mutants.MutantError, match=f"stale mutant .*'stale'.*found {count} times"):
        mutants.patched_text(found, course_dir)


def test_check_reports_stale_uncompilable_and_undefined_names(course_dir: Path) -> None:
    write_mutants(
        course_dir,
        mutant("fine", "a + b", "a - b"),
        mutant("stale", "a * b", "a - b"),
        mutant("syntax", "a + b", "a +"),
        mutant("undefined", "a + b", "a + c"),
    )
    problems = mutants.check(load(course_dir), course_dir)
    assert len(problems) == 3, problems
    assert "'stale'" in problems[0] and "exactly once" in problems[0]
    assert "'syntax'" in problems[1] and "does not compile" in problems[1]
    assert "'undefined'" in problems[2] and "`c`" in problems[2]


def test_materialize_writes_once_at_a_stable_path(course_dir: Path, tmp_path: Path) -> None:
    write_mutants(course_dir, mutant("subtracts", "a + b", "a - b"))
    (found,) = load(course_dir)
    out = mutants.materialize(found, course_dir, tmp_path / "out")
    assert out == tmp_path / "out" / "week1_adder__subtracts.py"
    assert mutants.materialize(found, course_dir, tmp_path / "out") == out


# -- the mutation session -----------------------------------------------------------------------
def run(course: pytest.Pytester, *args: str) -> dict[str, str]:
    course.runpytest_subprocess(
        "weeks/week1", "--target=solution", "--rxgrade-json=report.json", *args
    )
    return json.loads((course.path / "report.json").read_text())["mutants"]


def test_caught_and_survived_in_one_session(course: pytest.Pytester) -> None:
    write_mutants(
        course.path, mutant("subtracts", "a + b", "a - b"), mutant("commutes", "a + b", "b + a")
    )
    assert run(course, "--rxgrade-mutant=week1.adder") == {
        "week1.adder:subtracts": "caught",
        "week1.adder:commutes": "survived",
    }
    assert "a + b" in (course.path / "solutions/week1/adder.py").read_text()


def test_one_mutant_can_be_selected_by_name(course: pytest.Pytester) -> None:
    write_mutants(
        course.path, mutant("subtracts", "a + b", "a - b"), mutant("commutes", "a + b", "b + a")
    )
    assert run(course, "--rxgrade-mutant=week1.adder:subtracts") == {
        "week1.adder:subtracts": "caught"
    }


def test_a_stale_mutant_is_broken_not_caught(course: pytest.Pytester) -> None:
    write_mutants(course.path, mutant("stale", "a * b", "a - b"))
    verdict = run(course, "--rxgrade-mutant=week1.adder")["week1.adder:stale"]
    assert verdict.startswith("broken: stale mutant"), verdict


def test_a_mutant_that_raises_at_import_is_broken_not_caught(course: pytest.Pytester) -> None:
    write_mutants(
        course.path,
        mutant("raises", '__all__ = ["add"]', '__all__ = ["add"]\nraise RuntimeError("boom")'),
    )
    verdict = run(course, "--rxgrade-mutant=week1.adder")["week1.adder:raises"]
    assert verdict.startswith("broken:") and "fails at import: RuntimeError: boom" in verdict


def test_an_override_is_a_whole_module(course: pytest.Pytester) -> None:
    override = SOLUTION.replace("a + b", "abs(a) + abs(b)")
    (course.path / ENTRY).write_text(
        f'[[mutants]]\nname = "absolute"\nwhy = "adds magnitudes"\noverride = """{override}"""\n'
    )
    assert run(course, "--rxgrade-mutant=week1.adder") == {"week1.adder:absolute": "caught"}


def test_a_setup_error_is_not_a_catch(course: pytest.Pytester) -> None:
    (course.path / "weeks/week1/tests/test_adder.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\n"
        "def three(impl):\n"
        "    value = impl.add(1, 2)\n"
        "    if value != 3:\n"
        "        raise RuntimeError('the fixture broke, the test never looked')\n"
        "    return value\n\n"
        "def test_three(three):\n"
        "    assert three == 3\n"
    )
    write_mutants(course.path, mutant("subtracts", "a + b", "a - b"))
    verdict = run(course, "--rxgrade-mutant=week1.adder")["week1.adder:subtracts"]
    assert verdict.startswith("survived (") and "errored in setup" in verdict, verdict


def test_an_edit_of_an_rxvision_module_reaches_the_reexporting_solution(
    course: pytest.Pytester,
) -> None:
    (course.path / "rxvision").mkdir()
    (course.path / "rxvision/__init__.py").write_text("")
    (course.path / "rxvision/arith.py").write_text(SOLUTION)
    (course.path / "solutions/week1/adder.py").write_text(
        'from rxvision.arith import add\n\n__all__ = ["add"]\n'
    )
    write_mutants(
        course.path,
        mutant("subtracts", "a + b", "a - b", extra='file = "rxvision/arith.py"'),
        mutant("commutes", "a + b", "b + a", extra='file = "rxvision/arith.py"'),
    )
    assert run(course, "--rxgrade-mutant=week1.adder") == {
        "week1.adder:subtracts": "caught",
        "week1.adder:commutes": "survived",
    }
    assert "a + b" in (course.path / "rxvision/arith.py").read_text()


def test_an_edit_reaches_the_modules_that_import_it_and_nothing_else(
    course: pytest.Pytester,
) -> None:
    """An app imports a route, the solution imports the app, the mutant edits the route: the
    solution sees the bug, while the real modules stay correct for every other test."""
    (course.path / "rxvision").mkdir()
    (course.path / "rxvision/__init__.py").write_text("")
    (course.path / "rxvision/route.py").write_text(SOLUTION)
    (course.path / "rxvision/app.py").write_text(
        "from rxvision import route\n\n\ndef add(a, b):\n    return route.add(a, b)\n"
    )
    (course.path / "solutions/week1/adder.py").write_text(
        'from rxvision.app import add\n\n__all__ = ["add"]\n'
    )
    (course.path / "weeks/week1/tests/test_adder.py").write_text(
        "def test_small(impl):\n"
        "    assert impl.add(1, 2) == 3\n\n"
        "def test_zz_the_real_modules_are_untouched():\n"
        "    import rxvision.app, rxvision.route\n"
        "    assert rxvision.route.add(1, 2) == 3 and rxvision.app.add(1, 2) == 3\n"
        "    assert rxvision.app.route is rxvision.route\n"
    )
    write_mutants(
        course.path, mutant("subtracts", "a + b", "a - b", extra='file = "rxvision/route.py"')
    )
    result = course.runpytest_subprocess(
        "weeks/week1",
        "--target=solution",
        "--rxgrade-json=report.json",
        "--rxgrade-mutant=week1.adder",
        "-p",
        "no:randomly",
        "-v",
    )
    report = json.loads((course.path / "report.json").read_text())
    assert report["mutants"] == {"week1.adder:subtracts": "caught"}
    result.stdout.fnmatch_lines(["*test_zz_the_real_modules_are_untouched PASSED*"])


def test_an_unknown_mutant_is_a_usage_error(course: pytest.Pytester) -> None:
    result = course.runpytest_subprocess("weeks/week1", "--rxgrade-mutant=week1.adder:nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "week1.adder has no such mutant" in result.stderr.str()


# -- verify -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("table", "message"),
    [
        (mutant("stale", "a * b", "a - b"), "exactly once"),
        (mutant("raises", '__all__ = ["add"]', 'raise RuntimeError("boom")'), "fails at import"),
    ],
)
def test_verify_fails_naming_the_file_of_a_broken_mutant(
    course_dir: Path, monkeypatch: pytest.MonkeyPatch, table: str, message: str
) -> None:
    write_mutants(course_dir, mutant("subtracts", "a + b", "a - b"), table)
    problems = [str(p) for p in verify(manifest.load(course_dir))]
    assert len(problems) == 1 and message in problems[0] and ENTRY in problems[0], problems
    monkeypatch.chdir(course_dir)
    result = CliRunner().invoke(app, ["verify"])
    assert result.exit_code != 0
    assert ENTRY in result.output.replace("\n", "")
