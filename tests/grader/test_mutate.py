"""Patch mutants (``grader.mutate``) and verify's check that they still apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import mutate
from grader.manifest import load
from grader.verify import file_problems, mutants

PATCH = 'why = "subtracts"\n\n[[replace]]\nold = """\nreturn a + b\n"""\nnew = "return a - b\\n"\n'


def test_apply_makes_each_replacement(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(PATCH)
    patch = mutate.load(path)
    assert patch.why == "subtracts"
    assert mutate.apply(patch, "def f(a, b):\n    return a + b\n") == (
        "def f(a, b):\n    return a - b\n"
    )


@pytest.mark.parametrize("text", ["return a * b\n", "return a + b\nreturn a + b\n"])
def test_stale_patch_is_an_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.toml"
    path.write_text(PATCH)
    with pytest.raises(mutate.PatchError, match="stale mutant .*exactly once"):
        mutate.apply(mutate.load(path), text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("why = ", "not valid TOML"),
        ('[[replace]]\nold = "a"\nnew = "b"\n', "why"),
        ('why = "x"\n', "at least one"),
        ('why = "x"\n[[replace]]\nold = "a"\n', "needs string"),
        ('why = "x"\n[[replace]]\nold = "a"\nnew = "a"\n', "changes nothing"),
    ],
)
def test_malformed_patch_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.toml"
    path.write_text(text)
    with pytest.raises(mutate.PatchError, match=message):
        mutate.load(path)


def test_materialize_writes_once_at_a_stable_path(tmp_path: Path) -> None:
    mutant = tmp_path / "adder" / "subtracts.toml"
    mutant.parent.mkdir()
    mutant.write_text(PATCH)
    solution = tmp_path / "adder.py"
    solution.write_text("def add(a, b):\n    return a + b\n")
    out = mutate.materialize(mutant, solution, tmp_path / "out")
    assert out == tmp_path / "out" / "adder-subtracts.py"
    assert "return a - b" in out.read_text()
    assert mutate.materialize(mutant, solution, tmp_path / "out") == out
    assert "return a + b" in solution.read_text()


def test_verify_reports_a_stale_patch_mutant(course_dir: Path) -> None:
    root = course_dir
    mutant = root / "tests/mutants/week1/adder/multiplies.toml"
    mutant.write_text('why = "x"\n[[replace]]\nold = "a * b"\nnew = "a / b"\n')
    curriculum = load(root)
    assert mutant in mutants(curriculum)["week1.adder"]
    problems = [str(p) for p in file_problems(curriculum)]
    assert any("multiplies.toml" in p and "stale mutant" in p for p in problems), problems
    mutant.write_text('why = "x"\n[[replace]]\nold = "a + b"\nnew = "a * b"\n')
    assert not [p for p in file_problems(load(root)) if "multiplies" in str(p)]
