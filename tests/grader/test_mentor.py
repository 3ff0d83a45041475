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

from grader import cohort, manifest, mentor
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


SMALL_ONLY = """
def add(a, b):
    return a + b if abs(a) < 100 else 0
"""
EXTRA_TEST = """
def test_large_numbers(impl):
    assert impl.add(1000, 1) == 1001, f"add(1000, 1) should be 1001, got {impl.add(1000, 1)}"
"""


def test_an_extra_mentor_test_fails_a_learner_the_official_tests_pass(
    mentor_course: Path, tmp_path: Path
) -> None:
    eve = learner(mentor_course, "eve", {"weeks/week1/first.py": SMALL_ONLY})
    extra = tmp_path / "hidden"
    extra.mkdir()
    (extra / "test_first.py").write_text(EXTRA_TEST)
    graded = mentor.grade_learner(mentor_course, eve, tmp_path / "r", extra=extra)
    assert states(graded.report)["week1.first"] == "passing", "the official tests pass"
    hidden = graded.report["extra"]["week1.first"]
    assert hidden["passing"] is False and hidden["counts"] == {"failed": 1}
    assert "should be 1001, got 0" in hidden["tests"][0]["message"]
    assert "week1.first: NOT passing" in graded.paths["markdown"].read_text()
    first = next(d for d in graded.report["deliverables"] if d["id"] == "week1.first")
    assert first["earned"] == first["points"], "extra tests never change the points"
    assert not (mentor_course / "mentor_tests").exists() and not (eve / "mentor_tests").exists()


def test_extra_test_files_must_name_an_exercise(mentor_course: Path, tmp_path: Path) -> None:
    extra = tmp_path / "hidden"
    extra.mkdir()
    (extra / "test_fourth.py").write_text(EXTRA_TEST)
    result = runner.invoke(
        app,
        ["grade", str(mentor_course), "--out", str(tmp_path / "r"), "--extra-tests", str(extra)]
        + ["--root", str(mentor_course)],
    )
    assert result.exit_code == 2 and "test_fourth.py: its name matches no ready exercise" in (
        result.output
    )


def test_shards_merged_equal_one_unsharded_run(mentor_course: Path, tmp_path: Path) -> None:
    learners = [
        learner(mentor_course, "ana", {"weeks/week1/first.py": SOLVED}),
        learner(mentor_course, "ben", {"weeks/week1/second.py": SOLVED}),
        learner(mentor_course, "cal", {"weeks/week1/third.py": SOLVED}),
    ]
    slices = [mentor.shard(learners, i, 2) for i in range(2)]
    assert sorted(p.name for s in slices for p in s) == ["ana", "ben", "cal"]
    with pytest.raises(ValueError, match="0 <= I < N"):
        mentor.shard(learners, 2, 2)
    base = ["grade", *map(str, learners), "--root", str(mentor_course)]
    assert runner.invoke(app, [*base, "--out", str(tmp_path / "all")]).exit_code == 0
    for i in range(2):
        out = str(tmp_path / f"shard{i}")
        result = runner.invoke(app, [*base, "--out", out, "--shard", f"{i}/2"])
        assert result.exit_code == 0, result.output
    merged = {
        p.stem: states(json.loads(p.read_text()))
        for i in range(2)
        for p in (tmp_path / f"shard{i}").glob("*.json")
    }
    whole = {p.stem: states(json.loads(p.read_text())) for p in (tmp_path / "all").glob("*.json")}
    assert merged == whole and len(whole) == 3
    # rxgrade cohort merges the shards' folders into one view and gradebook
    shards = [str(tmp_path / f"shard{i}") for i in range(2)]
    result = runner.invoke(app, ["cohort", *shards, "--out", str(tmp_path / "cohort")])
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "cohort" / "gradebook.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows] == [
        "Student",
        "Points Possible",
        "ana",
        "ben",
        "cal",
    ]
    assert all(name in (tmp_path / "cohort" / "cohort.html").read_text() for name in whole)
    assert len(cohort.history(tmp_path / "all" / "history.sqlite")) == 3, "one run per learner"


HOSTILE = {
    "loops": "def add(a, b):\n    while True:\n        pass\n",
    "exits": "import os\nos._exit(0)\n\ndef add(a, b):\n    return a + b\n",
    "sys_exit": "import sys\nsys.exit(3)\n\ndef add(a, b):\n    return a + b\n",
    "floods": "def add(a, b):\n    print('x' * 10_000_000)\n    return a - b\n",
    "broken": "def add(a, b)\n    return a + b\n",
    "interrupts": "def add(a, b):\n    raise KeyboardInterrupt\n",
    "exits_in_test": "def add(a, b):\n    raise SystemExit(1)\n",
    "phones_home": (
        "import urllib.request\n\n"
        "def add(a, b):\n"
        "    urllib.request.urlopen('http://example.com/?sum=1', timeout=2)\n"
        "    return a + b\n"
    ),
    "solved": SOLVED,
}
LOOPBACK_IS_FINE = """
import socket


def add(a, b):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with socket.create_connection(server.getsockname(), timeout=2):
        pass
    server.close()
    return a + b
"""


def test_hostile_exercises_cost_only_themselves(tmp_path: Path, monkeypatch) -> None:
    """Each of issue 15's hostile cases in one learner's checkout: every exercise still has a
    truthful result, what happened is named, and the solved exercise passes."""
    monkeypatch.setenv("RXGRADE_HOME", str(tmp_path / "state"))
    root = tmp_path / "mentor"
    stubs = {**HOSTILE, "local": LOOPBACK_IS_FINE}
    make_course(root, dict.fromkeys(stubs, STUB), timeout=2)
    mean = learner(root, "mal", {f"weeks/week1/{n}.py": text for n, text in stubs.items()})
    graded = mentor.grade_learner(root, mean, tmp_path / "r", jobs=2)
    report = graded.report
    result = states(report)
    assert result["week1.solved"] == "passing"
    assert result["week1.local"] == "passing", "a connection to the loopback is allowed"
    for name in HOSTILE:
        if name != "solved":
            assert result[f"week1.{name}"] == "failing", (name, result)
    by_id = {d["id"]: d for d in report["deliverables"]}

    def said(name: str) -> str:
        messages = " ".join(t["message"] for t in by_id[f"week1.{name}"]["tests"])
        return messages + " " + report["problems"].get(f"week1.{name}", "")

    assert "time limit" in said("loops") or "Timeout" in said("loops")
    assert "exited" in said("exits") or "os._exit" in said("exits")
    assert "SystemExit" in said("sys_exit") or "exit" in said("sys_exit")
    assert "SyntaxError" in said("broken")
    assert "KeyboardInterrupt" in said("interrupts")
    assert "SystemExit" in said("exits_in_test")
    assert "beyond this machine's loopback" in said("phones_home")
    assert len(json.dumps(report)) < 2_000_000, "ten megabytes of printing are not in the report"


RUBRIC = """
mentor = "Dr. Ada"
date = "2026-12-07"
learner = "ana"

[week1.first]
score = 4
max = 5
comment = "clear"
"""


def test_rubric_scores_join_the_signed_report(mentor_course: Path, tmp_path: Path) -> None:
    ana = learner(mentor_course, "ana", {"weeks/week1/first.py": SOLVED})
    ben = learner(mentor_course, "ben", {})
    scores = tmp_path / "scores.toml"
    scores.write_text(RUBRIC)
    key = tmp_path / "key"
    key.write_text("k" * 32)
    out = tmp_path / "r"
    args = ["grade", str(ana), str(ben), "--out", str(out), "--rubric", str(scores)]
    result = runner.invoke(app, [*args, "--key-file", str(key), "--root", str(mentor_course)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "ana.json").read_text())
    assert report["mentor"]["total"] == 4 and report["mentor"]["mentor"] == "Dr. Ada"
    assert "mentor" not in json.loads((out / "ben.json").read_text())
    assert "week1.first: 4 / 5 (clear)" in (out / "ana.md").read_text()
    assert report["earned"] == 10, "rubric scores never change the automated points"
    report["mentor"]["total"] = 5
    (out / "ana.json").write_text(json.dumps(report))
    assert not mentor.check_report(out / "ana.json", b"k" * 32).ok
    scores.write_text(RUBRIC.replace('learner = "ana"', 'learner = "zed"'))
    refused = runner.invoke(app, [*args, "--root", str(mentor_course)])
    assert refused.exit_code == 2 and "say whose scores these are" in " ".join(
        refused.output.split()
    )


JOB = Path(__file__).resolve().parents[2] / "deploy" / "grading-job.yaml"


def test_the_indexed_job_manifest_is_valid_and_shards_as_the_cli_does() -> None:
    """deploy/grading-job.yaml passes `kubernetes-validate --strict`, and its pods grade the
    slices `--shard I/N` describes: N equals completions and parallelism, I is the index."""
    import subprocess
    import sys

    import yaml

    validate = Path(sys.executable).with_name("kubernetes-validate")
    if not validate.is_file():
        pytest.skip("needs kubernetes-validate: `.venv/bin/uv pip install -e '.[dev]'`")
    proc = subprocess.run(
        [str(validate), "--strict", str(JOB)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    job = yaml.safe_load(JOB.read_text())
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    command = " ".join(spec["template"]["spec"]["containers"][0]["args"])
    shards = spec["completions"]
    assert spec["parallelism"] == shards
    assert f'--shard "${{JOB_COMPLETION_INDEX}}/{shards}"' in command, command
    assert '--out "/reports/shard-${JOB_COMPLETION_INDEX}"' in command
    help_text = runner.invoke(app, ["grade", "--help"], env={"COLUMNS": "200"}).output
    for flag in ("--shard", "--out", "--key-file", "--jobs"):
        assert flag in command and flag in help_text, flag


def test_what_a_run_left_in_the_mentors_git_checkout_is_not_official(
    mentor_course: Path, tmp_path: Path
) -> None:
    """In a git checkout the official files are the tracked ones: a screenshot or a report a
    test run left behind (ignored by git) is neither copied nor reported missing."""
    import subprocess

    git = ["git", "-C", str(mentor_course)]
    subprocess.run([*git, "init", "-q"], check=True)
    (mentor_course / ".gitignore").write_text("artifacts/\n")
    subprocess.run([*git, "add", "-A"], check=True)
    (mentor_course / "artifacts").mkdir()
    (mentor_course / "artifacts/shot.png").write_bytes(b"png")
    ana = learner(mentor_course, "ana", {})
    shutil.rmtree(ana / "artifacts")
    shutil.rmtree(ana / ".git")  # a learner's own history is theirs
    assert "artifacts/shot.png" not in mentor.official_files(mentor_course)
    assert "weeks/week1/tests/test_first.py" in mentor.official_files(mentor_course)
    found = mentor.integrity(
        mentor_course, ana, mentor.exercise_files(manifest.load(mentor_course))
    )
    assert found["modified"] == [], found
