"""The resident grading worker (grader/worker.py) on the tiny course: it grades what the CLI would
grade, in the caller's environment, each exercise still in a fresh child; it serves only callers
of its own grader version and stops when asked."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import manifest, worker
from grader.results import summarise

from .conftest import STUB

ARGS = ["--target=learner", "-q", "--rxgrade-summary=no", "--color=no"]


@pytest.fixture
def running(course_dir: Path) -> Iterator[Path]:
    worker.start(course_dir)
    assert worker.wait_until_ready(course_dir, timeout=120), (
        worker.socket_path(course_dir).with_suffix(".log").read_text()
    )
    yield course_dir
    worker.stop(course_dir)


def test_the_worker_grades_each_run_afresh(running: Path) -> None:
    curriculum = manifest.load(running)
    pid = worker.ping(running)
    assert pid is not None and pid != os.getpid()
    first = worker.grade(running, ["week1.adder"], args=ARGS, jobs=1)
    assert first is not None
    assert {t.outcome for t in first[0].tests} == {"not started"}
    # the learner saves a solution: the next run sees it (nothing stays imported in the worker)
    stub = running / "weeks/week1/adder.py"
    stub.write_text(STUB.replace("raise NotImplementedError", "return a + b"))
    second = worker.grade(running, ["week1.adder"], args=ARGS, jobs=1)
    assert second is not None
    run = summarise(curriculum, {r.id: r.tests for r in second}, "learner")
    assert next(r for r in run.results if r.id == "week1.adder").state == "passing"
    assert worker.ping(running) == pid, "the same worker served both runs"


def test_the_worker_uses_the_callers_environment(
    running: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RXGRADE_TARGET", "solution")
    runs = worker.grade(running, ["week1.adder"], args=["-q", "--color=no"], jobs=1)
    assert runs is not None and {t.outcome for t in runs[0].tests} == {"passed"}


def test_a_caller_of_another_version_gets_none_and_the_worker_exits(
    running: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "version", lambda: "another")
    assert worker.grade(running, ["week1.adder"], args=ARGS, jobs=1) is None
    monkeypatch.undo()
    assert not worker.wait_until_ready(running, timeout=3), "the stale worker should have exited"


def test_without_a_worker_the_caller_grades_by_itself(course_dir: Path) -> None:
    assert worker.ping(course_dir) is None
    assert worker.grade(course_dir, ["week1.adder"], args=ARGS, jobs=1) is None
    assert worker.stop(course_dir) is False


def test_an_unknown_exercise_is_an_error_not_a_hang(running: Path) -> None:
    assert worker.grade(running, ["week1.nope"], args=ARGS, jobs=1) is None
    assert worker.ping(running) is not None, "the worker keeps serving after a bad request"
