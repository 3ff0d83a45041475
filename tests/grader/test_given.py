"""Given code (grader.given): what a stub marks as given must be the reference's code, copied.

On the tiny course of conftest.py, whose adder gets given code: a constant and a private helper
that the solution does not re-export (it re-exports ``tinylib.arith``, as solutions re-export
``rxvision/``), so the reference is found in the module the solution's ``add`` comes from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import manifest
from grader.given import given_names, given_problems
from grader.verify import verify

STUB = '''"""Add two numbers, checked.

Given (do not change): ``OFFSET`` and ``_check``.
"""

__all__ = ["add"]

#: Added to every sum (given).
OFFSET = 0


def _check(x: int) -> int:
    """Reject anything that is not an int (given: the learner reads it, never edits it)."""
    if not isinstance(x, int):
        raise TypeError(f"not an int: {x!r}")
    return x


def add(a: int, b: int) -> int:
    """Return a + b (use ``_check`` on both)."""
    # TODO: add them
    raise NotImplementedError
'''

LIBRARY = '''"""The reference system's arithmetic (the tiny course's rxvision/)."""

OFFSET = 0


def _check(x: int) -> int:
    """The reference's own docstring: it may differ from the stub's."""
    if not isinstance(x, int):
        raise TypeError(f"not an int: {x!r}")
    return x


def add(a: int, b: int) -> int:
    return _check(a) + _check(b) + OFFSET
'''

SOLUTION = '''"""Reference solution of ``week1.adder``: the reference system's arithmetic."""

from tinylib.arith import OFFSET, add

__all__ = ["add"]
'''

MUTANTS = """
[[mutants]]
name = "subtracts"
why = "subtracts b instead of adding it"
override = '''
from tinylib.arith import OFFSET, _check

__all__ = ["add"]


def add(a, b):
    return _check(a) - _check(b) + OFFSET
'''
"""

STUB_PATH = "weeks/week1/adder.py"


@pytest.fixture
def given_course(course_dir: Path) -> Path:
    """The tiny course with given code in the adder's stub, copied from the reference."""
    (course_dir / "tinylib").mkdir()
    (course_dir / "tinylib/__init__.py").write_text("")
    (course_dir / "tinylib/arith.py").write_text(LIBRARY)
    (course_dir / "solutions/week1/adder.py").write_text(SOLUTION)
    (course_dir / STUB_PATH).write_text(STUB)
    (course_dir / "curriculum/week1/adder.toml").write_text(MUTANTS)
    return course_dir


def edit_stub(course: Path, old: str, new: str) -> None:
    text = (course / STUB_PATH).read_text()
    assert text.count(old) == 1, old
    (course / STUB_PATH).write_text(text.replace(old, new))


def problems(course: Path) -> list[str]:
    return [str(p) for p in given_problems(manifest.load(course))]


def test_the_stub_marks_its_given_names() -> None:
    assert [g.name for g in given_names(STUB)] == ["OFFSET", "_check"]


def test_identical_given_code_passes(given_course: Path) -> None:
    assert problems(given_course) == []
    assert verify(manifest.load(given_course)) == []  # and the course is sound


def test_a_changed_body_fails_with_a_diff(given_course: Path) -> None:
    edit_stub(given_course, "raise TypeError", "raise ValueError")
    found = problems(given_course)
    assert len(found) == 1, found
    assert found[0].startswith(f"{STUB_PATH}: given `_check` differs from the reference")
    assert "tinylib/arith.py:6" in found[0]
    assert "-        raise TypeError" in found[0] and "+        raise ValueError" in found[0]
    assert found == [str(p) for p in verify(manifest.load(given_course), run_tests=False)]


def test_a_changed_constant_fails(given_course: Path) -> None:
    edit_stub(given_course, "OFFSET = 0", "OFFSET = 1")
    found = problems(given_course)
    assert len(found) == 1 and "given `OFFSET` is 1 in the stub but 0" in found[0], found


def test_an_imported_given_name_fails(given_course: Path) -> None:
    start = (given_course / STUB_PATH).read_text().index("def _check")
    end = (given_course / STUB_PATH).read_text().index("def add")
    edit_stub(
        given_course,
        (given_course / STUB_PATH).read_text()[start:end],
        "",
    )
    edit_stub(given_course, "OFFSET = 0\n", "OFFSET = 0\n\nfrom tinylib.arith import _check\n")
    found = problems(given_course)
    assert len(found) == 1, found
    assert "given `_check` is imported (`from tinylib.arith import _check`), not copied" in found[0]


def test_a_missing_given_name_fails(given_course: Path) -> None:
    edit_stub(given_course, "#: Added to every sum (given).\nOFFSET = 0\n", "")
    found = problems(given_course)
    assert found == [
        f"{STUB_PATH}: given `OFFSET` (the module docstring's list of given names) is not in "
        "the stub"
    ]


def test_docstring_comment_and_section_markers() -> None:
    source = '''"""A drill.

``Queue``'s ``__init__`` is given, and so is ``Stack`` (given).
Given (do not change): ``LIMIT``, the parameter checks and ``Pool``'s ``close``.
"""

#: How many at most (given).
LIMIT = 3
RATE = 2.0


class Queue:
    def __init__(self) -> None:
        self.items = []

    def push(self, x):
        """Yours."""
        raise NotImplementedError


class Stack:
    def __init__(self) -> None:
        self.items = []


class Pool:
    def close(self) -> None:
        """Release everything. (Given.)"""

    def open(self) -> None:
        raise NotImplementedError


def helper() -> int:
    """A helper (given)."""
    return 1


# -- given: the records ------------------------------------------------------------------------
class Record:
    pass


# -- your part ---------------------------------------------------------------------------------
def solve() -> None:
    raise NotImplementedError
'''
    found = {g.name: g.required for g in given_names(source)}
    assert found == {
        "LIMIT": True,
        "Pool.close": True,
        "Queue.__init__": False,
        "Stack": False,
        "helper": False,
        "Record": False,
    }
