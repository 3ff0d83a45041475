"""Which exercises' mutation checks still hold: a record of each exercise's files as last verified.

A whole-course ``rxgrade verify`` runs every mutant of every exercise (1,700+; about 50 minutes on
two cores), longer than CI may take. So each verify that finds no problem records, per exercise it
checked with its mutants, a fingerprint of that exercise's own files (:func:`fingerprint`) in
:data:`RECORD`; CI then runs the mutation checks of exactly the exercises whose files changed since
(:func:`stale`), and ``make verify`` still runs them all.

What a fingerprint covers: the stub, the solution, the tests and the entry file (mutants, hints,
clauses), and the modules of the reference system (``rxvision``) that the solution or the tests
import by name. It does not cover the shared grader (``grader/``) or the rest of ``rxvision``:
a change there is checked by every exercise's solution and stub runs in CI, and by the next full
``make verify``.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Iterable
from pathlib import Path

from grader.manifest import Curriculum, Deliverable

__all__ = [
    "RECORD",
    "files_of",
    "fingerprint",
    "imported_rxvision",
    "record",
    "recorded",
    "stale",
]

#: Where the record lives, relative to the repository root; commit it with the change it checks.
RECORD = "curriculum/verified.json"


def imported_rxvision(root: Path, path: Path) -> set[Path]:
    """Files of the ``rxvision`` modules that the Python file at ``path`` imports by name."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    found = set()
    for name in names:
        if name != "rxvision" and not name.startswith("rxvision."):
            continue
        base = root / Path(*name.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                found.add(candidate)
    return found


def files_of(curriculum: Curriculum, deliverable: Deliverable) -> list[str]:
    """The files a fingerprint of ``deliverable`` covers, relative to the root, sorted."""
    root = curriculum.root
    paths = {root / p for p in dataclasses.astuple(deliverable.paths) if p}
    for path in list(paths):
        if path.suffix == ".py":
            paths |= imported_rxvision(root, path)
    return sorted(str(p.relative_to(root)) for p in paths if p.is_file())


#: Fields of an entry file that do not change what its tests or mutants do (text for people,
#: scheduling, points): editing them leaves the record valid.
_NOT_GRADED = frozenset(
    {"title", "summary", "hints", "seed", "source", "points", "minutes", "tier", "difficulty"}
    | {"timebox", "mentor_rubric"}
)


def _graded_part(path: Path) -> bytes:
    """What of an entry file can change a grading: everything but :data:`_NOT_GRADED`, as
    canonical JSON (so comments and formatting do not count either)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    kept = {key: value for key, value in data.items() if key not in _NOT_GRADED}
    return json.dumps(kept, sort_keys=True, default=str).encode()


def fingerprint(curriculum: Curriculum, deliverable: Deliverable) -> str:
    """SHA-256 over the names and contents of :func:`files_of` ``deliverable`` (of its entry
    file, only the part that can change a grading: :func:`_graded_part`)."""
    digest = hashlib.sha256()
    for name in files_of(curriculum, deliverable):
        path = curriculum.root / name
        data = _graded_part(path) if name == deliverable.entry else path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def recorded(root: Path) -> dict[str, str]:
    """The record: exercise id -> fingerprint when its mutation checks last all held."""
    path = root / RECORD
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def record(curriculum: Curriculum, ids: Iterable[str]) -> None:
    """Record the current fingerprints of ``ids`` (call only after their checks all held)."""
    found = recorded(curriculum.root)
    for deliverable_id in ids:
        found[deliverable_id] = fingerprint(curriculum, curriculum[deliverable_id])
    ready = {d.id for d in curriculum if not d.planned}
    kept = {k: found[k] for k in sorted(found) if k in ready}
    path = curriculum.root / RECORD
    path.write_text(json.dumps(kept, indent=1) + "\n", encoding="utf-8")


def stale(curriculum: Curriculum) -> list[str]:
    """Ready exercises whose files changed since their mutation checks last all held (or that
    were never recorded), in curriculum order."""
    found = recorded(curriculum.root)
    return [
        d.id for d in curriculum if not d.planned and found.get(d.id) != fingerprint(curriculum, d)
    ]
