"""Tests of grader.notebooks: running tiny jupytext notebooks written to tmp_path, the course's
.py/.ipynb pairs staying in sync, and grading the file of a learner's pair saved last (the plugin
on a tiny paired course, and once on a real notebook of the course)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jupytext
import pytest

from grader import manifest
from grader.notebooks import graded_note, notebook_to_grade, run_notebook

from .conftest import manifest_text

HEADER = """\
# %% [markdown]
# # A tiny notebook

# %%
import json
import os
from pathlib import Path

"""
WRITE_RESULTS = """\
# %%
Path("results.json").write_text(json.dumps(results))
"""


def _notebook(tmp_path: Path, body: str, *, write: bool = True) -> Path:
    path = tmp_path / "notebook.py"
    path.write_text(HEADER + body + (WRITE_RESULTS if write else ""), encoding="utf-8")
    return path


def test_success_returns_the_results_and_leaves_the_notebook_untouched(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path,
        """\
# %%
import grader

results = {
    "answer": 6 * 7,
    "cwd": os.getcwd(),
    "target": os.environ.get("RXGRADE_TARGET"),
    "mplbackend": os.environ.get("MPLBACKEND"),
    "grader": str(Path(grader.__file__).resolve().parent.parent),
}

""",
    )
    before = path.read_bytes()
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "results.json").write_text('{"stale": true}')

    results = run_notebook(path, cwd=tmp_path / "run", env={"RXGRADE_TARGET": "solution"})

    assert results["answer"] == 42
    assert "stale" not in results, "a results.json from an earlier run must not be returned"
    assert Path(results["cwd"]).resolve() == (tmp_path / "run").resolve()
    assert results["target"] == "solution"
    assert results["mplbackend"] == "Agg"
    assert Path(results["grader"]) == Path(__file__).resolve().parents[2]
    assert path.read_bytes() == before, "run_notebook must never modify the notebook file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebook.py", "run"]


def test_not_implemented_cell_raises_not_implemented_error(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path,
        """\
# %%
def build():
    # TODO: write this
    raise NotImplementedError

# %%
model = build()
results = {}

""",
    )
    with pytest.raises(
        NotImplementedError, match=r"cell 4 of 5 \(line 14 of notebook.py: model = build\(\)\)"
    ):
        run_notebook(path, cwd=tmp_path / "run")


def test_an_unwritten_todo_cell_is_found_without_starting_a_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cell whose top level still raises NotImplementedError stops every run: it is reported
    before a kernel (seconds of imports) starts, with the cell and the raise's words."""
    import nbclient

    def no_kernel(*args: object, **kwargs: object) -> None:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(nbclient, "NotebookClient", no_kernel)
    path = _notebook(
        tmp_path,
        """\
# %%
x = 1

# %%
# TODO: part 1
raise NotImplementedError("part 1: the model")

# %%
raise NotImplementedError("part 2")
""",
    )
    with pytest.raises(NotImplementedError, match=r"cell 4 of 6 .*\(part 1: the model\)"):
        run_notebook(path, cwd=tmp_path / "run")


@pytest.mark.parametrize(
    "cell",
    [
        "if False:\n    raise NotImplementedError",
        "def later():\n    raise NotImplementedError",
        "%%capture\nraise NotImplementedError",
    ],
    ids=["guarded", "in-a-function", "magic"],
)
def test_a_raise_that_may_not_run_is_left_to_the_real_run(cell: str) -> None:
    from types import SimpleNamespace

    from grader.notebooks import _first_todo_cell

    cells = [SimpleNamespace(cell_type="code", source=cell)]
    assert _first_todo_cell(cells) is None
    markdown = [SimpleNamespace(cell_type="markdown", source="raise NotImplementedError")]
    assert _first_todo_cell(markdown) is None


def test_other_errors_name_the_cell_the_exception_and_its_first_line(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path,
        """\
# %%
results = {"losses": [1.0, 2.0]}

# %%
# the check
assert results["losses"][-1] < results["losses"][0], "loss did not fall"

""",
    )
    before = path.read_bytes()
    with pytest.raises(AssertionError) as info:
        run_notebook(path, cwd=tmp_path / "run")
    message = str(info.value)
    assert "cell 4 of 5" in message
    assert "line 12 of notebook.py" in message
    assert "# the check" in message
    assert "AssertionError: loss did not fall" in message
    assert "\x1b[" not in message, "colour codes of the kernel's traceback must be stripped"
    assert path.read_bytes() == before


def test_missing_results_json_is_an_assertion_error(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "# %%\nresults = {}\n", write=False)
    with pytest.raises(AssertionError, match=r"wrote no results\.json"):
        run_notebook(path, cwd=tmp_path / "run")


def test_results_must_be_a_json_object(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "# %%\nresults = [1, 2, 3]\n\n")
    with pytest.raises(AssertionError, match="JSON object"):
        run_notebook(path, cwd=tmp_path / "run")


def test_time_budget(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "# %%\nimport time\ntime.sleep(60)\nresults = {}\n\n")
    with pytest.raises(AssertionError, match=r"time budget of 2 s.*cell 3 of 4"):
        run_notebook(path, cwd=tmp_path / "run", timeout=2)
    assert not (tmp_path / "run" / "results.json").exists()


def test_missing_notebook(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no notebook"):
        run_notebook(tmp_path / "absent.py", cwd=tmp_path / "run")


def test_results_round_trip_through_json(tmp_path: Path) -> None:
    data = {"params": 5288548, "losses": [2.3, 1.9], "shape": [2, 10], "ok": True, "name": "b0"}
    path = _notebook(
        tmp_path, f"# %%\nresults = {json.dumps(data)!r}\nresults = json.loads(results)\n\n"
    )
    assert run_notebook(path, cwd=tmp_path / "run") == data


def test_run_notebook_once_shares_one_execution_and_remembers_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader import notebooks

    calls: list[Path] = []

    def fake_run(path: Path, *, cwd: Path, timeout: float, env: dict | None = None) -> dict:
        calls.append(path)
        if path.name == "stub.py":
            raise NotImplementedError("cell 2: write the training loop")
        return {"cwd": str(cwd)}

    monkeypatch.setattr(notebooks, "run_notebook", fake_run)
    monkeypatch.setattr(notebooks, "_RUNS", {})
    dirs = iter([tmp_path / "a", tmp_path / "b", tmp_path / "c"])
    good, stub = tmp_path / "good.py", tmp_path / "stub.py"
    first = notebooks.run_notebook_once(good, cwd=lambda: next(dirs), timeout=5)
    again = notebooks.run_notebook_once(good, cwd=lambda: next(dirs), timeout=5)
    assert again is first and first.cwd == tmp_path / "a" and first.results["cwd"].endswith("a")
    for _ in range(2):
        with pytest.raises(NotImplementedError, match="write the training loop"):
            notebooks.run_notebook_once(stub, cwd=lambda: next(dirs), timeout=5)
    assert calls == [good, stub], "each notebook must run exactly once per process"


# -- the jupytext pairs of the course's notebook exercises -------------------------------------

ROOT = Path(__file__).resolve().parents[2]
PAIRING = "ipynb,py:percent"
NOTEBOOK_ENTRIES = [d for d in manifest.load(ROOT) if d.kind == "notebook" and not d.planned]


def test_the_course_has_notebook_exercises() -> None:
    assert NOTEBOOK_ENTRIES, (
        "no ready notebook entry in curriculum.toml: the pair checks test nothing"
    )


@pytest.mark.parametrize("deliverable", NOTEBOOK_ENTRIES, ids=lambda d: d.id)
def test_every_notebook_stub_has_an_ipynb_with_the_same_cells(
    deliverable: manifest.Deliverable,
) -> None:
    py = ROOT / deliverable.module
    ipynb = py.with_suffix(".ipynb")
    fix = (
        f"run `jupytext --sync {deliverable.module}`, which copies the cells of the newer file "
        f"of the pair into the other (the .py header must say `formats: {PAIRING}`)"
    )
    assert ipynb.is_file(), f"{deliverable.id} has no {ipynb.name} beside its stub: {fix}"
    text_nb, ipynb_nb = jupytext.read(py), jupytext.read(ipynb)
    for name, nb in ((py.name, text_nb), (ipynb.name, ipynb_nb)):
        formats = nb.metadata.get("jupytext", {}).get("formats")
        assert formats == PAIRING, (
            f"{name} should carry jupytext's pairing metadata `formats: {PAIRING}` (so JupyterLab "
            f"saves both files), got {formats!r}"
        )
    cells = [(c.cell_type, c.source) for c in text_nb.cells]
    twin_cells = [(c.cell_type, c.source) for c in ipynb_nb.cells]
    differ = next(
        (
            i
            for i in range(max(len(cells), len(twin_cells)))
            if cells[i : i + 1] != twin_cells[i : i + 1]
        ),
        None,
    )
    assert differ is None, (
        f"{ipynb.name} is out of sync with {py.name} from cell {differ + 1} on "
        f"({len(twin_cells)} cells against {len(cells)}; that cell starts "
        f"{_start(twin_cells, differ)} against {_start(cells, differ)}): {fix}"
    )
    raw = json.loads(ipynb.read_text(encoding="utf-8"))
    run_cells = [
        i + 1
        for i, cell in enumerate(raw["cells"])
        if cell.get("outputs") or cell.get("execution_count") is not None
    ]
    assert not run_cells, f"{ipynb.name} must be committed without outputs (cells {run_cells})"


def _start(cells: list[tuple[str, str]], index: int) -> str:
    return repr(cells[index][1][:60]) if index < len(cells) else "(no such cell)"


# -- which file of a pair is graded --------------------------------------------------------------


def _pair(tmp_path: Path, *, py_age: float | None, ipynb_age: float | None) -> Path:
    """A .py / .ipynb pair saved ``*_age`` seconds ago (None: that file does not exist)."""
    now = time.time()
    py = tmp_path / "nb.py"
    for path, age in ((py, py_age), (py.with_suffix(".ipynb"), ipynb_age)):
        if age is not None:
            path.write_text("{}")
            os.utime(path, (now - age, now - age))
    return py


@pytest.mark.parametrize(
    ("py_age", "ipynb_age", "graded"),
    [
        (60, 5, "nb.ipynb"),  # saved in Jupyter without jupytext's pairing
        (5, 60, "nb.py"),  # edited in a text editor
        (30, 30, "nb.py"),  # a tie (a fresh clone)
        (30, None, "nb.py"),  # no .ipynb
        (None, 30, "nb.ipynb"),  # the .py was deleted
    ],
)
def test_the_file_saved_last_is_graded(
    tmp_path: Path, py_age: float | None, ipynb_age: float | None, graded: str
) -> None:
    py = _pair(tmp_path, py_age=py_age, ipynb_age=ipynb_age)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert notebook_to_grade(py) == tmp_path / graded
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def test_graded_note_names_the_file_relative_to_the_checkout_and_says_why(
    tmp_path: Path,
) -> None:
    py = _pair(tmp_path, py_age=60, ipynb_age=5)
    note = graded_note(notebook_to_grade(py), tmp_path.parent)
    assert note.startswith(f"graded {tmp_path.name}/nb.ipynb (saved after nb.py;"), note
    py = _pair(tmp_path, py_age=30, ipynb_age=30)
    assert "(saved at the same time as nb.ipynb;" in graded_note(notebook_to_grade(py))
    (tmp_path / "nb.ipynb").unlink()
    assert graded_note(py, tmp_path) == "graded nb.py"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"cells": [',
            r"nb\.ipynb, saved after nb\.py, is not valid JSON \(Expecting .*1, column 12\)",
        ),
        ("[1, 2]", r"nb\.ipynb, saved after nb\.py, is JSON but not a Jupyter notebook"),
    ],
)
def test_an_unreadable_ipynb_fails_with_a_message_that_names_it(
    tmp_path: Path, content: str, expected: str
) -> None:
    py = _pair(tmp_path, py_age=60, ipynb_age=None)
    (tmp_path / "nb.ipynb").write_text(content)  # saved now: after nb.py
    with pytest.raises(AssertionError, match=expected) as info:
        run_notebook(tmp_path / "nb.ipynb", cwd=tmp_path / "run")
    message = str(info.value)
    assert "save that file again" in message
    assert py.read_text() == "{}" and (tmp_path / "nb.ipynb").read_text() == content


# -- grading a learner's pairs with the plugin ---------------------------------------------------

PAIR_MANIFEST = manifest_text(
    "".join(
        f"""
[[weeks.days.deliverables]]
id = "week1.{name}"
title = "The {name} notebook"
kind = "notebook"
points = 5
seed = "{name.title()}"
source = "doc"
timeout = 60
hints = ["Set answer."]
"""
        for name in ("done", "stub", "broken")
    ),
    title="Tiny notebooks",
    week="Notebooks",
)
PAIR_STUB = """\
# %%
import json
from pathlib import Path

# %%
# TODO: set answer to six times seven
raise NotImplementedError("set answer")

# %%
Path("results.json").write_text(json.dumps({"answer": answer}))
"""
PAIR_SOLUTION = PAIR_STUB.replace('raise NotImplementedError("set answer")', "answer = 6 * 7")
PAIR_TEST = """\
def test_answer(notebook_run):
    assert notebook_run.results["answer"] == 42, "answer should be 6 * 7"
"""


def _write_paired_course(root: Path) -> None:
    """Three notebook exercises whose learner files are jupytext pairs: ``done`` (the completed
    notebook in a newer .ipynb, the stub in the .py), ``stub`` (the same, but the .py is newer)
    and ``broken`` (a newer .ipynb that is not JSON)."""
    files = {
        "curriculum.toml": PAIR_MANIFEST,
        "doc.md": "- [ ] Done\n- [ ] Stub\n- [ ] Broken\n",
        "pytest.ini": "[pytest]\naddopts = --import-mode=importlib\n",
    }
    for name in ("done", "stub", "broken"):
        files[f"weeks/week1/tests/test_{name}.py"] = PAIR_TEST
        files[f"solutions/week1/notebooks/{name}.py"] = PAIR_SOLUTION
        files[f"weeks/week1/notebooks/{name}.py"] = PAIR_STUB
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    notebooks = root / "weeks/week1/notebooks"
    completed = jupytext.reads(PAIR_SOLUTION, fmt="py:percent")
    completed.metadata["jupytext"] = {"formats": PAIRING}
    for name in ("done", "stub"):
        jupytext.write(completed, notebooks / f"{name}.ipynb")
    (notebooks / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    now = time.time()
    for name, newer in (("done", ".ipynb"), ("stub", ".py"), ("broken", ".ipynb")):
        for suffix in (".py", ".ipynb"):
            saved = now - (10 if suffix == newer else 600)
            os.utime(notebooks / f"{name}{suffix}", (saved, saved))


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def paired_course(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One run of the plugin on the paired course (two kernel runs in all): its output, the
    junit XML properties and rxgrade JSON report, and the notebooks folder before and after."""
    root = tmp_path_factory.mktemp("paired") / "course"
    _write_paired_course(root)
    before = _snapshot(root / "weeks/week1/notebooks")
    env = {**os.environ, "RXGRADE_HOME": str(root.parent / "state"), "COLUMNS": "200"}
    env.pop("RXGRADE_TARGET", None)
    env.pop("RXGRADE_LEARNER_ROOT", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "weeks/week1",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
        ]
        + ["-rA", "--junitxml=junit.xml", "--rxgrade-json=report.json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = proc.stdout + proc.stderr
    assert (root / "report.json").is_file(), output
    report = json.loads((root / "report.json").read_text())
    junit = ET.parse(root / "junit.xml")
    graded = {
        case.get("classname", "").rsplit(".", 1)[-1]: prop.get("value")
        for case in junit.iter("testcase")
        for prop in case.iter("property")
        if prop.get("name") == "graded_file"
    }
    return {
        "output": output,
        "entries": {d["id"]: d for d in report["deliverables"]},
        "graded": graded,
        "untouched": _snapshot(root / "weeks/week1/notebooks") == before,
    }


def test_a_completed_ipynb_saved_after_the_stub_py_is_graded_and_named(paired_course: dict) -> None:
    entry = paired_course["entries"]["week1.done"]
    assert entry["state"] == "passing", paired_course["output"]
    assert paired_course["graded"]["test_done"] == "weeks/week1/notebooks/done.ipynb"
    assert (
        "graded weeks/week1/notebooks/done.ipynb (saved after done.py;" in paired_course["output"]
    )


def test_a_stub_py_saved_after_a_completed_ipynb_is_not_started(paired_course: dict) -> None:
    entry = paired_course["entries"]["week1.stub"]
    assert entry["state"] == "not started", paired_course["output"]
    assert [t["outcome"] for t in entry["tests"]] == ["not started"]
    message = entry["tests"][0]["message"]
    assert "of stub.py" in message and "is not written yet (set answer)" in message, message
    assert paired_course["graded"]["test_stub"] == "weeks/week1/notebooks/stub.py"


def test_an_ipynb_that_is_not_json_fails_with_a_message_that_names_it(
    paired_course: dict,
) -> None:
    entry = paired_course["entries"]["week1.broken"]
    assert entry["state"] == "failing", paired_course["output"]
    message = entry["tests"][0]["message"]
    assert message.startswith(
        "AssertionError: broken.ipynb, saved after broken.py, is not valid JSON"
    ), message


def test_grading_never_writes_the_learners_notebooks(paired_course: dict) -> None:
    assert paired_course["untouched"], "the grader changed a file in weeks/week1/notebooks"


@pytest.mark.slow
def test_a_real_notebook_completed_in_its_ipynb_passes(tmp_path: Path) -> None:
    """The augmentation notebook (the quickest of the course): the .py is the untouched stub, the
    newer .ipynb holds the reference solution; a mentor-style run with --rxgrade-learner-root."""
    deliverable = manifest.load(ROOT)["week1.augmentation_notebook"]
    learner = tmp_path / "learner"
    stub = learner / deliverable.module
    stub.parent.mkdir(parents=True)
    stub.write_bytes((ROOT / deliverable.module).read_bytes())
    completed = jupytext.read(ROOT / deliverable.solution)
    completed.metadata.setdefault("jupytext", {})["formats"] = PAIRING
    jupytext.write(completed, stub.with_suffix(".ipynb"))
    os.utime(stub, (time.time() - 600, time.time() - 600))
    env = {**os.environ, "RXGRADE_HOME": str(tmp_path / "state"), "COLUMNS": "200"}
    env.pop("RXGRADE_TARGET", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", deliverable.tests, "-p", "no:randomly"]
        + ["-p", "no:cacheprovider", "-rA", f"--rxgrade-learner-root={learner}"]
        + [f"--rxgrade-json={tmp_path / 'report.json'}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=deliverable.timeout,
    )
    output = proc.stdout + proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    entry = next(d for d in report["deliverables"] if d["id"] == deliverable.id)
    assert entry["state"] == "passing" and proc.returncode == 0, output
    assert len(entry["tests"]) >= 5, entry["tests"]
    shown = Path(deliverable.module).with_suffix(".ipynb").as_posix()
    assert f"graded {shown} (saved after {stub.name};" in output
