"""A tiny generated course for testing the grader on something small and fully known."""

from __future__ import annotations

from pathlib import Path

import pytest


def manifest_text(entries: str, *, title: str = "Tiny", week: str = "Adding") -> str:
    """A one-week, one-day ``curriculum.toml`` (source ``doc`` = ``doc.md``) with ``entries``
    (``[[weeks.days.deliverables]]`` tables) on its Monday."""
    return f"""
format = 2
title = "{title}"
[sources.doc]
title = "doc"
path = "doc.md"

[[weeks]]
number = 1
title = "{week}"
objectives = ["add"]

[[weeks.days]]
name = "monday"
title = "Sums"
study = ["read"]
hands_on = ["code"]
{entries}"""


MANIFEST = manifest_text(
    """
[[weeks.days.deliverables]]
id = "week1.adder"
title = "Add two numbers"
kind = "code"
points = 10
seed = "Adder"
source = "doc"
timeout = 5
hints = ["Use the plus sign.", "return a + b"]

[[weeks.days.deliverables]]
id = "week1.later"
title = "Something for later"
kind = "code"
points = 5
seed = "Later"
source = "doc"
status = "planned"
hints = ["wait"]
"""
)

ADDER_MUTANTS = """
[[mutants]]
name = "subtracts"
why = "subtracts b instead of adding it"

[[mutants.replace]]
old = "a + b"
new = "a - b"
"""

STUB = '''
__all__ = ["add"]


def add(a: int, b: int) -> int:
    """Return a + b."""
    # TODO: add them
    raise NotImplementedError
'''

SOLUTION = """
__all__ = ["add"]


def add(a: int, b: int) -> int:
    return a + b
"""

TESTS = """
def test_small(impl):
    assert impl.add(1, 2) == 3, "add(1, 2) should be 3"


def test_negative(impl):
    assert impl.add(-1, -2) == -3, "add(-1, -2) should be -3"
"""


def write_course(root: Path) -> Path:
    """A two-entry course (one ready exercise, one planned) at ``root``."""
    files = {
        "curriculum.toml": MANIFEST,
        "doc.md": "- [ ] Adder\n- [ ] Later\n",
        "pytest.ini": "[pytest]\naddopts = --import-mode=importlib\n",
        "weeks/__init__.py": "",
        "weeks/week1/__init__.py": "",
        "weeks/week1/adder.py": STUB,
        "weeks/week1/tests/test_adder.py": TESTS,
        "solutions/__init__.py": "",
        "solutions/week1/__init__.py": "",
        "solutions/week1/adder.py": SOLUTION,
        "curriculum/week1/adder.toml": ADDER_MUTANTS,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def course(pytester: pytest.Pytester) -> pytest.Pytester:
    """The tiny course inside a ``pytester`` directory."""
    write_course(pytester.path)
    return pytester


@pytest.fixture
def course_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny course in a temporary directory, with its own grading state."""
    monkeypatch.setenv("RXGRADE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("RXGRADE_TARGET", raising=False)
    return write_course(tmp_path / "course")
