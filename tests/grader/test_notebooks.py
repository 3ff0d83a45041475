"""Tests of grader.notebooks.run_notebook on tiny jupytext notebooks written to tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.notebooks import run_notebook

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
