"""Mentor grading (grader/mentor.py, `rxgrade grade`): official tests, integrity, signatures.

The mentor's checkout is a three-exercise course; learners are copies of it, changed as a
learner (honest or not) would change theirs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import mentor
from grader.cli import app

from .test_isolate import SOLVED, make_course

STUB = '''
def add(a, b):
    """Return a + b."""
    raise NotImplementedError
'''

FORGED_TEST = "def test_everything():\n    assert True\n"
FORCING_CONFTEST = """
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    report.longrepr = None
    return report
"""
MEMORY_BOMB = """
def add(a, b):
    hog = bytearray(64 * 1024**3)  # 64 GB
    return a + b
"""
REACHES = """
import grader.plugin


def add(a, b):
    return a + b
"""

runner = CliRunner()


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def mentor_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RXGRADE_HOME", str(tmp_path / "state"))
    root = tmp_path / "mentor"
    make_course(root, {"first": STUB, "second": STUB, "third": STUB}, timeout=5)
    return root


def learner(mentor_root: Path, name: str, files: dict[str, str | None]) -> Path:
    """A copy of the mentor's checkout with ``files`` written (None: deleted)."""
    root = mentor_root.parent / name
    shutil.copytree(mentor_root, root)
    for rel, text in files.items():
        if text is None:
            (root / rel).unlink()
        else:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
    return root


def states(report: dict) -> dict[str, str]:
    return {d["id"]: d["state"] for d in report["deliverables"]}


def test_forged_tests_and_conftest_are_flagged_and_never_run(
    mentor_course: Path, tmp_path: Path
) -> None:
    honest = learner(mentor_course, "ana", {"weeks/week1/first.py": SOLVED})
    forger = learner(
        mentor_course,
        "ben",
        {
            "weeks/week1/first.py": SOLVED,
            "weeks/week1/tests/test_second.py": FORGED_TEST,
            "weeks/week1/conftest.py": FORCING_CONFTEST,
            "weeks/week1/tests/test_third.py": None,
        },
    )
    before = {p: tree_digest(p) for p in (honest, forger)}
    key = tmp_path / "key"
    key.write_text("0123456789abcdef0123456789abcdef\n")
    out = tmp_path / "reports"
    args = ["grade", str(honest), str(forger), "--out", str(out), "--key-file", str(key)]
    result = runner.invoke(app, [*args, "--jobs", "2", "--root", str(mentor_course)])
    assert result.exit_code == 0, result.output
    assert {p: tree_digest(p) for p in (honest, forger)} == before, "a checkout was written to"

    ana = json.loads((out / "ana.json").read_text())
    ben = json.loads((out / "ben.json").read_text())
    assert states(ana) == {
        "week1.first": "passing",
        "week1.second": "not started",
        "week1.third": "not started",
    }
    assert states(ben) == states(ana), "the forged test and the conftest did not run"
    assert ana["integrity"]["modified"] == []
    assert ben["integrity"]["modified"] == [
        "weeks/week1/conftest.py",
        "weeks/week1/tests/test_second.py",
        "weeks/week1/tests/test_third.py",
    ]
    changes = {c["path"]: c["change"] for c in ben["integrity"]["changes"]}
    assert changes["weeks/week1/conftest.py"] == "added"
    assert changes["weeks/week1/tests/test_third.py"] == "deleted"
    assert ben["learner"]["name"] == "ben" and ben["root"] == str(forger.resolve())
    assert (out / "ben.md").is_file() and "conftest.py" in (out / "ben.md").read_text()
    assert "<testsuites" in (out / "ben.xml").read_text()

    # signed: intact passes, one edited state fails and names the exercise
    check = ["grade", "--check", str(out / "ana.json"), "--key-file", str(key)]
    assert runner.invoke(app, check).exit_code == 0
    ana["deliverables"][1]["state"] = "passing"
    (out / "ana.json").write_text(json.dumps(ana, indent=2))
    edited = runner.invoke(app, check)
    assert edited.exit_code == 1 and "week1.second: its result was changed" in edited.output
    wrong_key = tmp_path / "other"
    wrong_key.write_text("fedcba9876543210fedcba9876543210")
    assert (
        runner.invoke(
            app, ["grade", "--check", str(out / "ben.json"), "--key-file", str(wrong_key)]
        ).exit_code
        == 1
    )


def test_the_whole_report_is_covered_by_the_signature(mentor_course: Path, tmp_path: Path) -> None:
    ana = learner(mentor_course, "ana", {"weeks/week1/first.py": SOLVED})
    graded = mentor.grade_learner(mentor_course, ana, tmp_path / "r", key=b"k" * 32)
    path = graded.paths["json"]
    assert mentor.check_report(path, b"k" * 32).ok
    report = json.loads(path.read_text())
    report["integrity"]["modified"] = []
    report["earned"] = report["points"]
    path.write_text(json.dumps(report))
    verdict = mentor.check_report(path, b"k" * 32)
    assert not verdict.ok and "outside the deliverables" in verdict.problems[0]


def test_without_a_key_the_report_says_it_is_unsigned(mentor_course: Path, tmp_path: Path) -> None:
    ana = learner(mentor_course, "ana", {})
    graded = mentor.grade_learner(mentor_course, ana, tmp_path / "r")
    assert graded.report["signature"]["algorithm"] is None
    assert "unsigned" in graded.report["signature"]["note"]
    verdict = mentor.check_report(graded.paths["json"], b"k" * 32)
    assert not verdict.ok and "no HMAC-SHA256 signature" in verdict.problems[0]


def test_a_memory_bomb_costs_its_exercise_only(mentor_course: Path, tmp_path: Path) -> None:
    bomber = learner(
        mentor_course,
        "cal",
        {
            "weeks/week1/first.py": SOLVED,
            "weeks/week1/second.py": MEMORY_BOMB,
            "weeks/week1/third.py": SOLVED,
        },
    )
    graded = mentor.grade_learner(mentor_course, bomber, tmp_path / "r", jobs=2, memory=2 * 1024**3)
    assert states(graded.report) == {
        "week1.first": "passing",
        "week1.second": "failing",
        "week1.third": "passing",
    }
    second = next(d for d in graded.report["deliverables"] if d["id"] == "week1.second")
    assert all("MemoryError" in t["message"] for t in second["tests"]), second["tests"]


def test_code_that_reaches_into_the_grader_is_flagged(mentor_course: Path, tmp_path: Path) -> None:
    sneaky = learner(mentor_course, "dee", {"weeks/week1/first.py": REACHES})
    graded = mentor.grade_learner(mentor_course, sneaky, tmp_path / "r")
    assert graded.report["integrity"]["reaches_into_grader"] == [
        "weeks/week1/first.py:2: import grader.plugin"
    ]
    assert graded.report["integrity"]["modified"] == []
