"""The code base stays ruff-clean (lint and format), as STYLE.md asks; graded asserts say why."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_assert_in_the_graded_tests_has_a_message() -> None:
    """A learner sees only the assertion message: a bare ``assert`` shows an empty error."""
    bare = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted(ROOT.glob("weeks/week*/tests/*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if isinstance(node, ast.Assert) and node.msg is None
    ]
    assert not bare, (
        f"{len(bare)} asserts in the graded tests have no message; give each one a message that "
        "says what was expected and what the code did: " + ", ".join(bare)
    )
