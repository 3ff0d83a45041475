"""The whole course is sound: ``rxgrade verify`` and ``rxgrade status`` on this repository.

``verify`` runs every ready exercise's tests on the reference solutions (all must pass) and on
the stubs (none may pass), checks every spec clause is tested, and compares the public API of
stubs and solutions. The mutation runs (every mutant must build and be caught) of the whole course
take longer than CI may (`make verify`); CI runs those of every exercise whose files changed since
they last all held (``grader.verified``: ``curriculum/verified.json``, written by a passing verify).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import manifest, verified
from grader.verify import mutation_problems, static_mutant_problems, verify

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(900)
def test_rxgrade_verify_finds_no_problem() -> None:
    # Every check of `rxgrade verify` except the mutation runs: with 1,768 mutants (notebook
    # mutants re-execute their notebook, semantic judges load a model) those take over 25 min on
    # two cores, beyond CI's budget. `make verify` runs them all; an author runs
    # `rxgrade verify ID` for each exercise they change (docs/authors.md, Verify).
    problems = verify(manifest.load(ROOT), run_mutants=False)
    assert not problems, "rxgrade verify found:\n" + "\n".join(map(str, problems))


@pytest.mark.timeout(1200)
def test_mutants_of_exercises_changed_since_their_last_verify_are_caught() -> None:
    curriculum = manifest.load(ROOT)
    recorded = verified.recorded(ROOT)
    assert recorded, (
        f"no {verified.RECORD}: run `make verify` (or `rxgrade verify ID`) and commit it"
    )
    changed = verified.stale(curriculum)
    problems = static_mutant_problems(curriculum, set(changed))
    problems += mutation_problems(curriculum, changed)
    assert not problems, (
        f"the mutation checks of {len(changed)} exercise(s) changed since their last verify "
        f"({', '.join(changed)}) found:\n" + "\n".join(map(str, problems))
    )
    # what is recorded matches the files it was recorded for, or is re-checked above
    ready = {d.id for d in curriculum if not d.planned}
    assert set(recorded) <= ready, f"{verified.RECORD} names exercises that are not ready"


@pytest.mark.timeout(600)
def test_rxgrade_check_and_status_on_the_stubs(tmp_path: Path) -> None:
    # check grades week 3 of the real course (each exercise in its own forked process); status
    # then shows that grading (not run again) with the first unfinished exercise and its hint.
    # Every stub of the course is graded by the verify test above; isolation of hostile
    # exercises is tests/grader/test_isolate.py.
    env = {**os.environ, "RXGRADE_HOME": str(tmp_path), "COLUMNS": "160"}
    env.pop("RXGRADE_TARGET", None)

    def rxgrade(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "grader.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    week3 = [d for d in manifest.load(ROOT).week(3).deliverables if not d.planned]
    check = rxgrade("check", "week3")
    assert check.returncode == 1, check.stdout + check.stderr  # stubs: nothing passes
    for d in week3:
        assert d.id in check.stdout and "not started" in check.stdout, check.stdout
    proc = rxgrade("status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Results of the last grading" in proc.stdout, proc.stdout
    assert "Week 1" in proc.stdout and "Week 6" in proc.stdout and "Overall" in proc.stdout
    first = week3[0]
    assert f"Next: {first.id}" in proc.stdout, proc.stdout
    assert f"Hint 1/{len(first.hints)}: {first.hints[0][:40]}" in proc.stdout


def test_week_readmes_list_their_ready_exercises() -> None:
    curriculum = manifest.load(ROOT)
    for week in curriculum.weeks:
        readme = (ROOT / "weeks" / week.slug / "README.md").read_text(encoding="utf-8")
        assert readme.startswith(f"# Week {week.number}"), f"{week.slug}/README.md title"
        missing = [d.id for d in week.deliverables if not d.planned and f"`{d.id}`" not in readme]
        assert not missing, f"weeks/{week.slug}/README.md does not mention {missing}"
