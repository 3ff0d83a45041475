"""Spec clauses: every behavioural sentence of a stub's spec is tied to a test that checks it.

An author tags a sentence of a stub's docstring (or of a notebook or written template) with a
short id in brackets, ``[#ties]``, and marks the tests that check it::

    Vote ties (equal totals): predict the **smallest** label. [#ties]

    @pytest.mark.clause("ties")
    def test_uniform_vote_tie_goes_to_the_smallest_label(impl): ...

``rxgrade verify`` then reports a clause that no test (passing on the reference) checks, and a
``clause`` marker that names no clause of the stub (a typo, or a sentence that was removed). A
learner reads the tag as a pointer: a failing test's clauses are in the report, and the same
``[#id]`` is in the docstring they are implementing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from grader.manifest import Curriculum, Deliverable
from grader.results import Run

__all__ = ["TAG", "clause_problems", "clauses_of"]

#: A clause tag: ``[#id]`` with a lower-case id of letters, digits and dashes.
TAG = re.compile(r"\[#([a-z0-9][a-z0-9-]*)\]")


def clauses_of(path: Path) -> dict[str, int]:
    """The clause ids tagged in a stub (or template) file, with the line of their first tag."""
    found: dict[str, int] = {}
    if not path.is_file():
        return found
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in TAG.finditer(line):
            found.setdefault(match.group(1), number)
    return found


def clause_problems(
    curriculum: Curriculum, ready: Iterable[Deliverable], solution_run: Run | None
) -> list[tuple[str, str]]:
    """``(deliverable id, message)`` for every untested clause and every unknown clause marker.

    A clause counts as checked when a test marked with it passed on the reference solution.
    """
    if solution_run is None:
        return []
    results = {r.id: r for r in solution_run.results}
    problems = []
    for deliverable in ready:
        tagged = clauses_of(curriculum.root / deliverable.module)
        result = results.get(deliverable.id)
        tests = result.tests if result is not None else []
        checked = {c for t in tests if t.outcome == "passed" for c in t.clauses}
        marked = {c for t in tests for c in t.clauses}
        for clause, line in sorted(tagged.items(), key=lambda kv: kv[1]):
            if clause not in checked:
                problems.append(
                    (
                        deliverable.id,
                        f"clause [#{clause}] ({deliverable.module}:{line}) is checked by no test "
                        f'that passes on the solution: mark one @pytest.mark.clause("{clause}")',
                    )
                )
        for clause in sorted(marked - set(tagged)):
            problems.append(
                (
                    deliverable.id,
                    f'a test is marked clause("{clause}") but {deliverable.module} tags no '
                    f"[#{clause}]",
                )
            )
    return problems
