"""Run a notebook deliverable headless and return what it reported.

A notebook deliverable is a jupytext pair: a percent-format ``.py`` file and the ``.ipynb``
beside it (``formats: ipynb,py:percent`` in both, so JupyterLab with jupytext saves both at
once). Its last cell writes a JSON object to ``results.json`` in its working directory; the
exercise tests check that object. :func:`notebook_to_grade` picks the file of the pair that was
saved last (a learner may edit either, with or without jupytext's pairing), and
:func:`run_notebook` executes either kind of file: the cells in order, with an ipykernel of *this*
interpreter, in a working directory chosen by the caller (never the learner's folder). It turns
failures into messages that name the file and the cell:

- a cell that raises ``NotImplementedError`` (a TODO cell, or an unfinished stub it calls) raises
  ``NotImplementedError``, which the grader reports as "not started"; a TODO cell whose top level
  is still ``raise NotImplementedError(...)`` is found before any kernel starts;
- any other error, a blown time budget, a dead kernel, a missing ``results.json`` or an
  ``.ipynb`` that is not a readable notebook raises ``AssertionError``.

The notebook file itself is only read, never written.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "RESULTS_FILE",
    "NotebookRun",
    "graded_note",
    "notebook_to_grade",
    "run_notebook",
    "run_notebook_once",
]

RESULTS_FILE = "results.json"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TRACEBACK_TAIL = 12  # lines of the kernel's traceback quoted in a failure message


@dataclass(frozen=True)
class NotebookRun:
    """One execution of a notebook: the object its last cell wrote, where it ran, and the file
    that was executed (the ``.py`` or the ``.ipynb`` of the pair)."""

    results: dict[str, Any]
    cwd: Path
    path: Path | None = None


_RUNS: dict[Path, NotebookRun | NotImplementedError | AssertionError] = {}


class LazyNotebookRun:
    """A :class:`NotebookRun` that executes the notebook when a test first reads ``results`` or
    ``cwd``: a notebook that fails then fails the test in its call phase (a set-up error would
    say nothing about the learner's answer), and tests that never look do not pay for a run."""

    def __init__(self, path: Path, **options: Any) -> None:
        self._path = path
        self._options = options

    @property
    def results(self) -> dict[str, Any]:
        return run_notebook_once(self._path, **self._options).results

    @property
    def cwd(self) -> Path:
        return run_notebook_once(self._path, **self._options).cwd

    @property
    def path(self) -> Path:
        """The file that is (or will be) executed; reading it does not run the notebook."""
        return self._path


def run_notebook_once(
    path: Path, *, cwd: Callable[[], Path], timeout: float, env: dict[str, str] | None = None
) -> NotebookRun:
    """:func:`run_notebook` memoised per file for this process: every test of a notebook shares
    one execution. A failure is remembered too and raised again (without the first traceback)."""
    key = path.resolve()
    if key not in _RUNS:
        where = cwd()
        try:
            results = run_notebook(path, cwd=where, timeout=timeout, env=env)
            _RUNS[key] = NotebookRun(results, where, path)
        except (NotImplementedError, AssertionError) as exc:
            _RUNS[key] = exc
    outcome = _RUNS[key]
    if isinstance(outcome, NotebookRun):
        return outcome
    raise type(outcome)(*outcome.args) from None


def notebook_to_grade(path: Path) -> Path:
    """The file of a jupytext pair to grade: ``path`` (the ``.py``) or the ``.ipynb`` beside it,
    whichever was saved last.

    JupyterLab with jupytext saves both files of a pair; Jupyter without jupytext saves only the
    ``.ipynb``, and an editor only the ``.py``. The file with the later modification time holds
    the learner's latest work. On a tie, or when there is no ``.ipynb``, it is the ``.py``; when
    only the ``.ipynb`` exists, the ``.ipynb``. Nothing is read but the files' metadata, and
    nothing is written (the grader never syncs the pair).

    Args:
        path: the notebook's percent-format ``.py`` file (the manifest's path). Any other file
            is returned as it is.

    Returns:
        The file to execute with :func:`run_notebook`.
    """
    path = Path(path)
    if path.suffix != ".py":
        return path
    twin = path.with_suffix(".ipynb")
    try:
        twin_saved = twin.stat().st_mtime_ns
    except FileNotFoundError:
        return path
    try:
        saved = path.stat().st_mtime_ns
    except FileNotFoundError:
        return twin
    return twin if twin_saved > saved else path


def graded_note(graded: Path, root: Path | None = None) -> str:
    """One line for a report saying which file of a notebook pair is graded, and why.

    Args:
        graded: the file :func:`notebook_to_grade` chose.
        root: shown paths are relative to it (the learner's checkout), when they are inside it.
    """
    graded = Path(graded)
    shown = graded
    if root is not None and graded.resolve().is_relative_to(Path(root).resolve()):
        shown = graded.resolve().relative_to(Path(root).resolve())
    why = _saved_relative_to_twin(graded)
    if why is None:
        return f"graded {shown.as_posix()}"
    return (
        f"graded {shown.as_posix()} ({why}; the grader runs whichever of the pair you saved last)"
    )


def _saved_relative_to_twin(path: Path) -> str | None:
    """ "saved after x.py" (or "at the same time as", "before"): ``path`` against the other file
    of its pair; None when there is no other file."""
    if path.suffix not in (".py", ".ipynb"):
        return None
    other = path.with_suffix(".py" if path.suffix == ".ipynb" else ".ipynb")
    try:
        mine, theirs = path.stat().st_mtime_ns, other.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    if mine == theirs:
        return f"saved at the same time as {other.name}"
    return f"saved {'after' if mine > theirs else 'before'} {other.name}"


def run_notebook(
    path: Path,
    *,
    cwd: Path,
    timeout: float = 300,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Execute the notebook at ``path`` and return the object it wrote to results.json.

    Args:
        path: a jupytext percent-format ``.py`` notebook or an ``.ipynb`` (read only, with
            jupytext: both execute the same cells).
        cwd: the kernel's working directory; ``cwd / "results.json"`` is read afterwards (a stale
            one is removed first).
        timeout: seconds for all cells together (kernel start-up not included).
        env: extra environment variables for the kernel, on top of this process's environment.
            The kernel also gets ``PYTHONPATH`` (the notebook's checkout, then this project's
            root), ``MPLBACKEND=Agg``; ``RXGRADE_TARGET`` passes through.

    Returns:
        The JSON object of ``results.json``.

    Raises:
        NotImplementedError: a cell raised NotImplementedError (the exercise is not started).
        AssertionError: another error in a cell, the time budget exceeded, the kernel died,
            no valid ``results.json`` object was written, or an ``.ipynb`` is not a notebook.
        FileNotFoundError: there is no notebook at ``path``.
    """
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path, cwd = Path(path).resolve(), Path(cwd).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {path} (restore it with `git checkout -- FILE`)")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = _read_ipynb(path, text)
        lines: list[int | None] = [None] * len(nb.cells)
    else:
        nb = jupytext.reads(text, fmt="py:percent")
        lines = _cell_lines(text, len(nb.cells))
    todo = _first_todo_cell(nb.cells)
    if todo is not None:
        index, message = todo
        where = _where(index, len(nb.cells), lines[index], path, nb.cells[index].source)
        reason = f" ({message})" if message else ""
        raise NotImplementedError(
            f"{where} is not written yet{reason}: it still raises NotImplementedError at its top "
            "level (found without running the notebook: every run would stop there)"
        )
    cwd.mkdir(parents=True, exist_ok=True)
    results = cwd / RESULTS_FILE
    results.unlink(missing_ok=True)

    client = NotebookClient(
        nb,
        km=_kernel_manager(),
        timeout=max(1, int(timeout)),
        startup_timeout=120,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(cwd)}},
    )
    deadline = time.monotonic() + timeout
    with client.setup_kernel(env=_kernel_env(path, env), cwd=str(cwd)):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            where = _where(index, len(nb.cells), lines[index], path, cell.source)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"the notebook exceeded its time budget of {timeout:g} s before {where}"
                )
            client.timeout = max(1, int(remaining + 0.999))
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as exc:
                detail = _traceback_tail(cell)
                if exc.ename == "NotImplementedError":
                    reason = f" ({exc.evalue})" if exc.evalue else ""
                    raise NotImplementedError(
                        f"{where} is not written yet{reason}: it, or the code it calls, still "
                        f"raises NotImplementedError\n{detail}"
                    ) from None
                raise AssertionError(
                    f"{where} raised {exc.ename}: {exc.evalue}\n{detail}"
                ) from None
            except CellTimeoutError:
                raise AssertionError(
                    f"the notebook exceeded its time budget of {timeout:g} s in {where}: make "
                    "the slow step smaller (fewer steps, smaller images or subset)"
                ) from None
            except DeadKernelError:
                raise AssertionError(
                    f"the kernel died in {where} (out of memory, or a crash in native code)"
                ) from None

    if not results.is_file():
        raise AssertionError(
            f"{path.name} ran to the end but wrote no {RESULTS_FILE}: its last cell must write "
            f"the results dict, e.g. `Path('{RESULTS_FILE}').write_text(json.dumps(results))`"
        )
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AssertionError(f"{RESULTS_FILE} written by {path.name} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise AssertionError(
            f"{RESULTS_FILE} must hold a JSON object (a dict), got {type(data).__name__}"
        )
    return data


def _read_ipynb(path: Path, text: str) -> Any:
    """The notebook in ``text`` (the ``.ipynb`` at ``path``), or an AssertionError saying why
    Jupyter could not open it and how to get going again."""
    import jupytext

    py = path.with_suffix(".py")
    relation = _saved_relative_to_twin(path)
    name = f"{path.name}, {relation}," if relation else path.name
    way_out = (
        f"Open it in JupyterLab and save it again, or, if your work is in {py.name}, save that "
        "file again: the grader runs whichever of the two you saved last."
        if py.exists()
        else "Open it in JupyterLab and save it again."
    )
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssertionError(
            f"{name} is not valid JSON ({exc.msg}: line {exc.lineno}, column {exc.colno}). "
            f"{way_out}"
        ) from None
    try:
        return jupytext.reads(text, fmt="ipynb")
    except Exception as exc:  # nbformat raises several types for JSON that is no notebook
        raise AssertionError(
            f"{name} is JSON but not a Jupyter notebook ({type(exc).__name__}: {exc}). {way_out}"
        ) from None


def _kernel_manager() -> Any:
    """An async kernel manager whose "python3" kernel is ipykernel on ``sys.executable``.

    A user-level ``python3`` kernelspec may point at another interpreter; this one never does.
    """
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class ThisInterpreter(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"Python {sys.version_info.major} (rxgrade)",
                language="python",
                name=kernel_name,
            )

    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ThisInterpreter())


def _kernel_env(path: Path, extra: dict[str, str] | None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    roots: list[str] = []
    for start in (path.parent, Path(__file__).resolve().parent):
        root = _checkout_root(start)
        if root is not None and str(root) not in roots:
            roots.append(str(root))
    if env.get("PYTHONPATH"):
        roots.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(roots)
    env["MPLBACKEND"] = "Agg"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet ipykernel's debugger warning
    return env


def _checkout_root(start: Path) -> Path | None:
    from grader.manifest import find_root

    try:
        root = find_root(start)
    except FileNotFoundError:
        return None
    return root if start.resolve().is_relative_to(root) else None


def _first_todo_cell(cells: list[Any]) -> tuple[int, str] | None:
    """The first code cell whose own top level is ``raise NotImplementedError(...)`` (a TODO
    cell not yet written), with the raise's message. Running the notebook would stop there at
    the latest, so a kernel (seconds: it imports torch) is not started to find out. Cells with
    IPython magics or that do not parse are left to the real run."""
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or cell.source.lstrip().startswith(("%", "!")):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            exc = node.exc if isinstance(node, ast.Raise) else None
            target = exc.func if isinstance(exc, ast.Call) else exc
            if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                args = exc.args if isinstance(exc, ast.Call) else []
                first = args[0] if args else None
                text = first.value if isinstance(first, ast.Constant) else ""
                return index, text if isinstance(text, str) else ""
    return None


def _cell_lines(text: str, n_cells: int) -> list[int | None]:
    """1-based line of each cell's ``# %%`` marker, or None where it cannot be told."""
    markers = [i + 1 for i, line in enumerate(text.splitlines()) if line.startswith("# %%")]
    if len(markers) > n_cells:
        return [None] * n_cells
    return [None] * (n_cells - len(markers)) + markers


def _where(index: int, total: int, line: int | None, path: Path, source: str) -> str:
    first = next((s.strip() for s in source.splitlines() if s.strip()), "")
    if len(first) > 80:
        first = first[:77] + "..."
    if line is None:
        return f"cell {index + 1} of {total} in {path.name} ({first})"
    return f"cell {index + 1} of {total} (line {line} of {path.name}: {first})"


def _traceback_tail(cell: Any) -> str:
    """The last lines of the kernel's traceback of a failed cell, without colour codes."""
    frames = [o.get("traceback", []) for o in cell.get("outputs", []) if o.output_type == "error"]
    text = _ANSI.sub("", "\n".join(frames[-1] if frames else []))
    lines = [line.rstrip() for line in text.splitlines() if line.strip() and set(line) != {"-"}]
    return "\n".join("    " + line for line in lines[-_TRACEBACK_TAIL:])
