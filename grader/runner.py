"""Run exercise tests in a subprocess and read back the structured result.

The CLI, ``verify`` and mutation checks all grade through here, so a hung or crashing exercise
costs that run, never the caller.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.manifest import Curriculum
from grader.results import Run

__all__ = ["Outcome", "run_pytest", "selection"]


@dataclass
class Outcome:
    """What a pytest subprocess produced: the parsed report (if any), exit code and output."""

    run: Run | None
    returncode: int
    output: str


def selection(
    curriculum: Curriculum, week: str | None = None, exercise: str | None = None
) -> list[str]:
    """Test paths for a week (``week1``/``1``), one exercise id, or every ready deliverable."""
    if exercise is not None:
        deliverable = curriculum[exercise]
        if deliverable.planned:
            raise ValueError(f"{exercise} is coming in a later release: it has no tests yet")
        return [deliverable.tests]
    if week is not None:
        week_obj = curriculum.week(week)
        return [d.tests for d in week_obj.deliverables if not d.planned]
    return [d.tests for d in curriculum if not d.planned]


def run_pytest(
    root: Path,
    paths: Sequence[str],
    *,
    target: str = "learner",
    extra: Sequence[str] = (),
    capture: bool = True,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> Outcome:
    """Run pytest on ``paths`` (relative to ``root``) in a subprocess and parse its JSON report.

    Args:
        root: repository root holding curriculum.toml (the official tests and manifest).
        paths: test files or node ids.
        target: ``learner`` or ``solution``.
        extra: more pytest arguments (e.g. ``["--rxgrade-mutant", "week6.knn"]``).
        capture: capture output (returned) instead of streaming it to the terminal.
        timeout: seconds for the whole run; on expiry the run counts as failed.
        env: extra environment variables.
    """
    with tempfile.TemporaryDirectory(prefix="rxgrade-") as tmp:
        report = Path(tmp) / "report.json"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            *paths,
            f"--target={target}",
            f"--rxgrade-json={report}",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=--import-mode=importlib",
            *extra,
        ]
        if capture:
            cmd += ["-q", "--rxgrade-summary=no", "--color=no"]
        full_env = {**os.environ, **(env or {}), "RXGRADE_TARGET": target}
        try:
            proc = subprocess.run(
                cmd,
                cwd=root,
                env=full_env,
                capture_output=capture,
                text=True,
                timeout=timeout,
                check=False,
            )
            returncode = proc.returncode
            output = (proc.stdout or "") + (proc.stderr or "")
        except subprocess.TimeoutExpired as exc:
            returncode = -1
            output = f"pytest did not finish within {timeout:g} s\n{exc.stdout or ''}"
        run = Run.read_json(report) if report.exists() else None
        return Outcome(run=run, returncode=returncode, output=output)
