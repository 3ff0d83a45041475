"""A broken or hostile exercise costs only itself (grader/isolate.py).

Each test plants one hostile stub in a three-exercise course (a solved exercise before it and one
after it) and grades the course as ``rxgrade status`` does: the hostile exercise ends, within a
bounded time, as a truthful "failing" that says what happened, and the other two are passing.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from grader import isolate, manifest
from grader.results import summarise

from .conftest import manifest_text

ENTRY = """
[[weeks.days.deliverables]]
id = "week1.{name}"
title = "{name}"
kind = "code"
points = 10
seed = "{name}"
source = "doc"
timeout = {timeout}
hints = ["Use the plus sign."]
"""

SOLVED = """
def add(a, b):
    return a + b
"""

TESTS = """
def test_small(impl):
    assert impl.add(1, 2) == 3


def test_negative(impl):
    assert impl.add(-1, -2) == -3


def test_zero(impl):
    assert impl.add(0, 0) == 0
"""

ARGS = ["--target=learner", "-q", "--rxgrade-summary=no", "--color=no"]


def make_course(root: Path, stubs: dict[str, str], *, timeout: int = 2) -> manifest.Curriculum:
    """A one-day course of ``stubs`` (name -> the learner's file), each with :data:`TESTS`."""
    text = manifest_text("".join(ENTRY.format(name=n, timeout=timeout) for n in stubs))
    files = {
        "curriculum.toml": text,
        "doc.md": "".join(f"- [ ] {n}\n" for n in stubs),
        "pytest.ini": "[pytest]\naddopts = --import-mode=importlib\n",
        "weeks/__init__.py": "",
        "weeks/week1/__init__.py": "",
        "solutions/__init__.py": "",
        "solutions/week1/__init__.py": "",
        **{f"weeks/week1/{n}.py": stub for n, stub in stubs.items()},
        **{f"solutions/week1/{n}.py": SOLVED for n in stubs},
        **{f"weeks/week1/tests/test_{n}.py": TESTS for n in stubs},
    }
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    return manifest.load(root)


def course(root: Path, hostile: str, *, timeout: int = 2) -> manifest.Curriculum:
    """The hostile stub between two solved exercises."""
    return make_course(
        root, {"before": SOLVED, "hostile": hostile, "after": SOLVED}, timeout=timeout
    )


def grade(curriculum: manifest.Curriculum, **options: float) -> tuple[dict, float]:
    start = time.monotonic()
    runs = isolate.run_exercises(curriculum.root, list(curriculum), args=ARGS, **options)
    seconds = time.monotonic() - start
    run = summarise(curriculum, isolate.outcomes(runs), "learner")
    return {r.id: r for r in run.results}, seconds


def assert_only_the_hostile_one_fails(results: dict, *words: str) -> str:
    assert results["week1.before"].state == "passing"
    assert results["week1.after"].state == "passing"
    hostile = results["week1.hostile"]
    assert hostile.state == "failing", hostile
    messages = " | ".join(t.message for t in hostile.tests if t.outcome == "failed")
    for word in words:
        assert word in messages, messages
    return messages


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    isolate.warm(("pytest", "grader.plugin"))


def test_a_loop_inside_c_code_is_killed_after_the_limit(tmp_path: Path) -> None:
    stub = "import itertools\n\n\ndef add(a, b):\n    return sum(itertools.count())\n"
    results, seconds = grade(course(tmp_path, stub, timeout=2), grace=2)
    messages = assert_only_the_hostile_one_fails(
        results, "stopped after", "no test finished", "test_small"
    )
    assert "it was in add (hostile.py:5)" in messages, "where it was stuck, from its stack"
    assert seconds < 30, f"took {seconds:.0f} s"


def test_a_python_endless_loop_costs_one_timeout_not_one_per_test(tmp_path: Path) -> None:
    stub = "def add(a, b):\n    while True:\n        pass\n"
    results, seconds = grade(course(tmp_path, stub, timeout=2))
    messages = assert_only_the_hostile_one_fails(results, "Timeout", "did not finish")
    assert messages.count("from pytest-timeout") == 1, messages  # the others did not run
    assert seconds < 2 * 2 + 15, f"took {seconds:.0f} s: each test waited for its own timeout"


def test_os_exit_at_import_is_a_failing_exercise_not_a_silent_pass(tmp_path: Path) -> None:
    stub = "import os\n\nos._exit(0)\n"
    results, _ = grade(course(tmp_path, stub))
    assert_only_the_hostile_one_fails(results, "exited with status 0", "os._exit")


def test_keyboard_interrupt_from_the_code_stops_that_exercise_only(tmp_path: Path) -> None:
    stub = "def add(a, b):\n    raise KeyboardInterrupt\n"
    results, _ = grade(course(tmp_path, stub))
    assert_only_the_hostile_one_fails(results, "KeyboardInterrupt")


def test_an_atexit_hook_cannot_rewrite_the_result(tmp_path: Path) -> None:
    stub = (
        "import atexit, json, os\n\n"
        "def forge():\n"
        "    for fd in range(3, 64):\n"
        "        try:\n"
        '            os.write(fd, b\'forged {"event": "done", "exitstatus": 0}\\n\')\n'
        "        except OSError:\n"
        "            pass\n\n"
        "atexit.register(forge)\n\n"
        "def add(a, b):\n"
        "    return a - b\n"
    )
    results, _ = grade(course(tmp_path, stub))
    assert_only_the_hostile_one_fails(results, "assert")


def test_a_process_the_exercise_leaves_behind_ends_with_it(tmp_path: Path) -> None:
    """A stub that forks a process to rewrite results after grading: the process group dies
    when the exercise's child is done, so the late write never happens."""
    forged = tmp_path / "forged"
    stub = (
        "import os, time\n\n"
        "if os.fork() == 0:\n"
        "    for fd in range(3, 64):\n"
        "        try:\n"
        "            os.close(fd)\n"
        "        except OSError:\n"
        "            pass\n"
        "    os.close(1)\n"
        "    os.close(2)\n"
        "    time.sleep(3)\n"
        f"    open({str(forged)!r}, 'w').write('rewritten')\n"
        "    os._exit(0)\n\n"
        "def add(a, b):\n"
        "    return a - b\n"
    )
    results, _ = grade(course(tmp_path, stub))
    assert_only_the_hostile_one_fails(results, "assert")
    time.sleep(4)
    assert not forged.exists(), "a process left behind by the exercise outlived it"


def test_lines_without_the_token_are_ignored(tmp_path: Path) -> None:
    # a stub that writes a forged report line to every open descriptor at import
    stub = (
        "import json, os\n\n"
        "for fd in range(3, 64):\n"
        "    try:\n"
        "        line = {'event': 'test', 'test': {'nodeid': 'x', 'outcome': 'passed'}}\n"
        "        os.write(fd, ('0' * 32 + ' ' + json.dumps(line) + '\\n').encode())\n"
        "    except OSError:\n"
        "        pass\n\n"
        "def add(a, b):\n"
        "    return a * b\n"
    )
    results, _ = grade(course(tmp_path, stub))
    assert_only_the_hostile_one_fails(results)
    assert all(t.nodeid != "x" for t in results["week1.hostile"].tests)


def test_ten_megabytes_of_printing_is_capped(tmp_path: Path) -> None:
    stub = "def add(a, b):\n    print('x' * 10_000_000)\n    return a + b\n"
    curriculum = course(tmp_path, stub)
    runs = isolate.run_exercises(curriculum.root, [curriculum["week1.hostile"]], args=["-s"])
    assert runs[0].ended == "finished"
    assert {t.outcome for t in runs[0].tests} == {"passed"}
    assert len(runs[0].output) < 3 * isolate.OUTPUT_CAP
    assert "bytes of output left out" in runs[0].output


def test_a_syntax_error_is_one_clear_failure(tmp_path: Path) -> None:
    stub = "def add(a, b:\n    return a + b\n"
    results, _ = grade(course(tmp_path, stub))
    hostile = results["week1.hostile"]
    assert_only_the_hostile_one_fails(results, "SyntaxError", "hostile.py:1")
    first, *rest = [t.message for t in hostile.tests]
    assert first.startswith("weeks/week1/hostile.py:1: SyntaxError"), first
    assert rest and all(
        m.startswith("not run: the module under test does not import") for m in rest
    )


def test_the_learner_files_are_not_written(tmp_path: Path) -> None:
    stub = "def add(a, b):\n    return a + b\n"
    curriculum = course(tmp_path, stub)
    before = {p: p.read_bytes() for p in (tmp_path / "weeks").rglob("*.py")}
    results, _ = grade(curriculum)
    assert all(r.state == "passing" for r in results.values())
    assert {p: p.read_bytes() for p in (tmp_path / "weeks").rglob("*.py")} == before


def test_many_exercises_side_by_side_all_finish(tmp_path: Path) -> None:
    # Two children at a time, a dozen quick ones: every pipe is read to its end and closed once
    # (closing a descriptor number twice once closed another child's report pipe, which then
    # looked hung and was killed although its tests had finished).
    names = [f"e{i}" for i in range(12)]
    curriculum = make_course(tmp_path, dict.fromkeys(names, SOLVED), timeout=5)
    runs = isolate.run_exercises(tmp_path, list(curriculum), args=ARGS, jobs=2, grace=5)
    assert [r.ended for r in runs] == ["finished"] * len(names), [(r.id, r.problem) for r in runs]
    assert all({t.outcome for t in r.tests} == {"passed"} for r in runs)


def test_children_load_the_installed_plugins_by_name_except_those_turned_off() -> None:
    """The entry-point scan is done once in the parent; ``-p no:NAME`` still turns one off."""
    names = dict(isolate._pytest_plugins())
    assert names["timeout"] == "pytest_timeout" and names["rxgrade"] == "grader.plugin"
    args = isolate._plugin_args([])
    assert args[0] == "--disable-plugin-autoload"
    assert [args[i + 1] for i, a in enumerate(args) if a == "-p"] == list(names.values())
    off = isolate._plugin_args(["-p", "no:timeout"])
    assert "pytest_timeout" not in off and "grader.plugin" in off


def test_the_warm_up_follows_what_the_exercises_import(tmp_path: Path) -> None:
    """A small course that imports nothing heavy starts at once; the real course (its tests
    import torch, or the course's own packages, which do) gets torch and the rest first."""
    tiny = course(tmp_path, SOLVED)
    assert "torch" not in isolate.warm_list(tiny.root, list(tiny))
    real = manifest.load(Path(__file__).resolve().parents[2])
    assert "torch" in isolate.warm_list(real.root, [real["week6.knn"]])
    (tmp_path / "weeks/week1/tests/test_after.py").write_text("import torch\n" + TESTS)
    assert "torchmetrics" in isolate.warm_list(tiny.root, list(tiny))
