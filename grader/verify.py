"""``rxgrade verify``: prove every ready exercise is sound, for authors and for CI.

For every manifest entry that is not planned:

- stub, solution, test and entry file exist; no test file, stub, solution or entry file is
  orphaned;
- stub and solution define the same ``__all__`` with the same signatures;
- every test passes on the solution and none passes on the stub;
- every clause the stub tags (``[#id]``, :mod:`grader.clauses`) is checked by a passing test;
- every mutant (a plausible wrong answer in the entry's ``[[mutants]]``, :mod:`grader.mutants`)
  applies, compiles and imports, and then fails a test in its call phase.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from grader import mutants as mutants_
from grader.clauses import clause_problems
from grader.manifest import ENTRIES_DIR, Curriculum, Deliverable
from grader.runner import run_pytest
from grader.scaffold import PLACEHOLDER_MARK, SOLUTION_MARK, is_scaffold_solution

__all__ = [
    "Problem",
    "api_problems",
    "file_problems",
    "mutant_problems",
    "scaffold_problems",
    "verify",
]


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def file_problems(curriculum: Curriculum) -> list[Problem]:
    """Missing files for ready entries; orphaned tests, stubs, solutions and entry files; and
    mutants that do not parse, do not apply, do not compile or leave a name undefined."""
    root = curriculum.root
    problems = []
    claimed: set[str] = set()
    for d in curriculum:
        claimed |= {d.module, d.solution, d.tests, d.entry}
        if d.planned:
            continue
        for label, rel in (("stub", d.module), ("solution", d.solution), ("tests", d.tests)):
            if not (root / rel).is_file():
                problems.append(Problem(d.id, f"{label} file {rel} is missing"))
    patterns = (
        "weeks/week*/tests/test_*.py",
        "weeks/week*/*.py",
        "solutions/week*/*.py",
        f"{ENTRIES_DIR}/week*/*.toml",
    )
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            rel = path.relative_to(root).as_posix()
            if path.name.startswith("_") or rel in claimed:
                continue
            problems.append(Problem(rel, "belongs to no entry of curriculum.toml (orphan)"))
    problems += static_mutant_problems(curriculum)
    return problems


def static_mutant_problems(
    curriculum: Curriculum, ids: Iterable[str] | None = None
) -> list[Problem]:
    """Mutants that do not parse, belong to a planned entry, or do not build statically."""
    found, errors = mutants_.load_all(curriculum)
    problems = [Problem("mutants", error) for error in errors]
    wanted = set(ids) if ids is not None else None
    checked = []
    for deliverable_id, group in found.items():
        if wanted is not None and deliverable_id not in wanted:
            continue
        deliverable = curriculum[deliverable_id]
        if deliverable.planned:
            problems.append(Problem(deliverable.entry, "a planned entry has mutants: no tests yet"))
            continue
        if not (curriculum.root / deliverable.solution).is_file():
            continue
        checked += group
    problems += [Problem("mutants", p) for p in mutants_.check(checked, curriculum.root)]
    return problems


def _signature(obj: object) -> str | None:
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return str(
        sig.replace(
            return_annotation=inspect.Signature.empty,
            parameters=[
                p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()
            ],
        )
    )


def _methods(cls: type) -> Iterable[str]:
    for name, value in vars(cls).items():
        if (not name.startswith("_") or name == "__init__") and callable(value):
            yield name


def api_problems(deliverable: Deliverable) -> list[Problem]:
    """Stub and solution must export the same names with the same signatures."""
    try:
        stub = importlib.import_module(deliverable.module_name("learner"))
        solution = importlib.import_module(deliverable.module_name("solution"))
    except Exception as exc:  # noqa: BLE001 - any import failure is the author's problem to see
        return [Problem(deliverable.id, f"cannot import: {type(exc).__name__}: {exc}")]
    problems = []
    exports = {}
    for label, module in (("stub", stub), ("solution", solution)):
        names = getattr(module, "__all__", None)
        if names is None:
            problems.append(Problem(deliverable.id, f"{module.__name__} has no __all__"))
        exports[label] = set(names or ())
    if problems:
        return problems
    if exports["stub"] != exports["solution"]:
        only_stub = sorted(exports["stub"] - exports["solution"])
        only_solution = sorted(exports["solution"] - exports["stub"])
        problems.append(
            Problem(
                deliverable.id,
                f"__all__ differs: only in stub {only_stub}, only in solution {only_solution}",
            )
        )
    for name in sorted(exports["stub"] & exports["solution"]):
        a, b = getattr(stub, name, None), getattr(solution, name, None)
        if a is None or b is None:
            problems.append(Problem(deliverable.id, f"{name} is in __all__ but not defined"))
            continue
        pairs: list[tuple[str, Callable | object, Callable | object]] = [(name, a, b)]
        if inspect.isclass(a) and inspect.isclass(b):
            pairs += [(f"{name}.{m}", getattr(a, m), getattr(b, m, None)) for m in _methods(a)]
        for label, x, y in pairs:
            if y is None:
                problems.append(Problem(deliverable.id, f"the solution has no {label}"))
            elif callable(x) and _signature(x) != _signature(y):
                problems.append(
                    Problem(
                        deliverable.id,
                        f"{label} signature: stub {_signature(x)} vs solution {_signature(y)}",
                    )
                )
    return problems


def _api_problems_in_subprocess(curriculum: Curriculum, ids: list[str]) -> list[Problem]:
    """Run :func:`api_problems` in a fresh interpreter rooted at the course (clean imports)."""
    if not ids:
        return []
    code = (
        "import json, sys\n"
        "from grader import manifest\n"
        "from grader.verify import api_problems\n"
        "c = manifest.load('.')\n"
        "out = [vars(p) for i in sys.argv[1:] for p in api_problems(c[i])]\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *ids],
        cwd=curriculum.root,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return [Problem("public API check", proc.stderr.strip()[-2000:])]
    return [Problem(**raw) for raw in json.loads(proc.stdout.strip().splitlines()[-1])]


_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def verify(
    curriculum: Curriculum,
    *,
    ids: Iterable[str] | None = None,
    run_tests: bool = True,
    run_mutants: bool = True,
    progress: Callable[[str], None] = lambda _message: None,
    workers: int = os.cpu_count() or 1,
) -> list[Problem]:
    """Every problem found; an empty list means every checked entry is sound."""
    wanted = set(ids) if ids is not None else None
    ready = [d for d in curriculum if not d.planned and (wanted is None or d.id in wanted)]
    if wanted is None:
        problems = file_problems(curriculum)
    else:
        problems = static_mutant_problems(curriculum, wanted)
    progress(f"checking the public API of {len(ready)} exercises")
    problems += _api_problems_in_subprocess(curriculum, [d.id for d in ready if d.is_python])
    from grader.given import given_problems  # it imports Problem from here

    progress("comparing the code the stubs mark as given with the reference")
    problems += given_problems(curriculum, [d.id for d in ready])
    problems += scaffold_problems(curriculum, ready)
    if not run_tests or not ready:
        return problems
    paths = [d.tests for d in ready if (curriculum.root / d.tests).is_file()]
    progress("running the tests on the reference solutions")
    solution = run_pytest(curriculum.root, paths, target="solution")
    problems += _expect(solution, ready, "solution")
    problems += [Problem(*p) for p in clause_problems(curriculum, ready, solution.run)]
    progress("running the tests on the stubs")
    learner = run_pytest(curriculum.root, paths, target="learner")
    problems += _expect(learner, ready, "learner")
    if run_mutants:
        problems += mutation_problems(curriculum, [d.id for d in ready], progress, workers)
    # A stale mutant is found statically and again when its run cannot build it: say it once.
    return list(dict.fromkeys(problems))


def mutation_problems(
    curriculum: Curriculum,
    ids: Iterable[str],
    progress: Callable[[str], None] = lambda _message: None,
    workers: int = os.cpu_count() or 1,
) -> list[Problem]:
    """:func:`mutant_problems` of the ready exercises ``ids``, run side by side on ``workers``."""
    wanted = set(ids)
    found, _errors = mutants_.load_all(curriculum)
    batches = [
        (curriculum[deliverable_id], group)
        for deliverable_id, group in found.items()
        if deliverable_id in wanted and not curriculum[deliverable_id].planned
    ]
    count = sum(len(group) for _, group in batches)
    progress(f"running {count} mutation checks of {len(batches)} exercises")
    n_workers = max(1, min(workers, len(batches) or 1))
    # Parallel sessions share the cores: one BLAS/OpenMP thread each, or they thrash.
    threads = max(1, (os.cpu_count() or 1) // n_workers)
    env = {name: os.environ.get(name, str(threads)) for name in _THREAD_VARIABLES}
    problems: list[Problem] = []
    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        for batch_problems in pool.map(
            lambda batch: mutant_problems(curriculum, *batch, env=env), batches
        ):
            problems += batch_problems
    return problems


_SCAFFOLD_MARKS = (PLACEHOLDER_MARK, SOLUTION_MARK)


def scaffold_problems(curriculum: Curriculum, ready: list[Deliverable]) -> list[Problem]:
    """What is left of an ``rxgrade new`` scaffold (:mod:`grader.scaffold`), one line each: its
    solution, its placeholder test; and any ready entry without mutants."""
    found, errors = mutants_.load_all(curriculum)
    problems = []
    for d in ready:
        solution, tests = curriculum.root / d.solution, curriculum.root / d.tests
        if solution.is_file() and is_scaffold_solution(solution.read_text(encoding="utf-8")):
            still = (
                "still raises NotImplementedError"
                if d.solution.endswith(".py")
                else "is still a template"
            )
            problems.append(
                Problem(
                    d.id,
                    f"the solution {still} (scaffolded by rxgrade new: write the reference "
                    "solution)",
                )
            )
        if tests.is_file() and PLACEHOLDER_MARK in tests.read_text(encoding="utf-8"):
            problems.append(
                Problem(
                    d.id,
                    f"the tests are the scaffold's placeholder (rxgrade new): write the tests of "
                    f"{d.id} in {d.tests}",
                )
            )
        if d.id not in found and not any(error.startswith(d.entry) for error in errors):
            problems.append(
                Problem(
                    d.id, f"no mutants yet: add [[mutants]] tables to {d.entry} (docs/authors.md)"
                )
            )
    return problems


def _expect(outcome, ready: list[Deliverable], target: str) -> list[Problem]:
    if outcome.run is None:
        tail = "\n".join(outcome.output.strip().splitlines()[-15:])
        return [Problem(f"pytest --target {target}", f"produced no report:\n{tail}")]
    results = {r.id: r for r in outcome.run.results}
    problems = []
    for d in ready:
        result = results.get(d.id)
        if result is None or not result.tests:
            problems.append(Problem(d.id, f"no test of {d.tests} ran"))
            continue
        if target == "solution":
            # The scaffold's placeholder test and solution are reported by scaffold_problems.
            tests = [t for t in result.tests if not any(m in t.message for m in _SCAFFOLD_MARKS)]
            if unstarted := [t for t in tests if t.outcome == "not started"]:
                problems.append(
                    Problem(
                        d.id,
                        f"the solution still raises NotImplementedError in {len(unstarted)} "
                        f"test(s), e.g. {unstarted[0].nodeid}: {unstarted[0].message}",
                    )
                )
            for test in tests:
                if test.outcome not in ("passed", "not started"):
                    problems.append(
                        Problem(
                            d.id, f"{test.outcome} on the solution: {test.nodeid} {test.message}"
                        )
                    )
        else:
            for test in result.tests:
                if test.outcome in ("passed", "skipped"):
                    problems.append(
                        Problem(d.id, f"{test.outcome} on the stub (it must fail): {test.nodeid}")
                    )
    return problems


def mutant_problems(
    curriculum: Curriculum,
    deliverable: Deliverable,
    group: list[mutants_.Mutant],
    env: dict[str, str] | None = None,
) -> list[Problem]:
    """Each mutant must build and then fail a test of its deliverable in the test's call phase
    (one pytest run for all the mutants of one exercise)."""
    outcome = run_pytest(
        curriculum.root,
        [deliverable.tests],
        target="solution",
        extra=["--rxgrade-mutant", deliverable.id],
        env=env,
    )
    if outcome.run is None or outcome.run.mutants is None:
        return [
            Problem(
                deliverable.entry,
                f"the mutation run produced no report: {outcome.output[-800:]}",
            )
        ]
    problems = []
    for mutant in group:
        verdict = outcome.run.mutants.get(mutant.key, "not run")
        if verdict == "caught":
            continue
        if verdict.startswith("broken: "):
            problems.append(Problem("mutants", verdict.removeprefix("broken: ")))
        else:
            problems.append(
                Problem(
                    mutant.where,
                    f"{verdict}: no test of {deliverable.tests} fails on it in its call phase",
                )
            )
    return problems
