"""Mutants: plausible wrong answers that an exercise's tests must catch.

Every mutant of an exercise lives in its entry file ``curriculum/weekN/<name>.toml``, beside the
entry's text and hints. A mutant is a named edit of a file the exercise depends on::

    [[mutants]]
    name = "softmax_over_queries"
    why = "the attention softmax is taken over the queries (dim=-2), not the keys"
    file = "rxvision/models/vit.py"   # optional; default: the exercise's solution

    [[mutants.replace]]
    old = "attn.softmax(dim=-1)"
    new = "attn.softmax(dim=-2)"

``file`` may be the solution (a module, a notebook or a Markdown exemplar) or, for a Python
exercise, any module under ``rxvision/`` that the solution re-exports: the solution is then
imported afresh against the edited module, so a fix in ``rxvision/`` reaches every mutant.
Each ``old`` must occur exactly once in the file, in order, or the mutant is *stale*.

For the rare bug that no edit of a file can express, a mutant may instead be a whole module::

    [[mutants]]
    name = "observer_strong_refs"
    why = "the hub keeps callbacks alive forever"
    override = '''
    from solutions.week6.design_patterns import *  # noqa: F403
    ...
    '''

A mutant is *caught* only when it built (the edits applied, the module imported) and a test then
failed in its call phase; a mutant that does not apply, does not compile, names an undefined
variable or raises at import is *broken*, and ``rxgrade verify`` reports it as an error instead
of counting the failure it causes as a catch.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from grader.manifest import Curriculum, Deliverable

__all__ = [
    "Edit",
    "Mutant",
    "MutantError",
    "build_module",
    "check",
    "load",
    "load_all",
    "load_ref",
    "materialize",
    "patched_text",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELDS = {"name", "why", "file", "replace", "override"}


class MutantError(ValueError):
    """A mutant that is malformed, stale, or fails to build; the message names it."""


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` (which must occur exactly once) by ``new``."""

    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    """One plausible wrong answer of an exercise."""

    exercise: str  # the deliverable id, e.g. "week6.knn"
    name: str  # unique within the exercise, snake_case
    why: str  # one line: what makes this answer wrong
    file: str  # repo-relative path of the file edited (the solution for an override)
    entry: str  # the entry file declaring it, for messages
    edits: tuple[Edit, ...] = ()
    override: str = ""  # a whole module, instead of edits

    @property
    def key(self) -> str:
        """``weekN.exercise:name``, how the command line and reports name a mutant."""
        return f"{self.exercise}:{self.name}"

    @property
    def where(self) -> str:
        return f"{self.entry} [[mutants]] {self.name!r}"

    @property
    def stem(self) -> str:
        return f"{self.exercise.replace('.', '_')}__{self.name}"


def load(curriculum: Curriculum, deliverable: Deliverable) -> list[Mutant]:
    """The mutants declared in ``deliverable``'s entry file (none when it has no file).

    Raises:
        MutantError: the table is malformed (the message says which mutant and what).
    """
    path = curriculum.root / deliverable.entry
    if not path.is_file():
        return []
    with path.open("rb") as fh:
        raw = tomllib.load(fh).get("mutants", [])
    if not isinstance(raw, list):
        raise MutantError(f"{deliverable.entry}: `mutants` must be an array of tables")
    found: list[Mutant] = []
    for i, item in enumerate(raw, start=1):
        found.append(_parse(item, i, deliverable, curriculum.root))
    names = [m.name for m in found]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise MutantError(f"{deliverable.entry}: mutant name(s) used twice: {', '.join(dupes)}")
    return found


def _parse(item: object, i: int, deliverable: Deliverable, root: Path) -> Mutant:
    where = f"{deliverable.entry} [[mutants]] number {i}"
    if not isinstance(item, dict):
        raise MutantError(f"{where}: must be a table")
    if unknown := sorted(set(item) - _FIELDS):
        raise MutantError(f"{where}: unknown field(s) {', '.join(unknown)}")
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise MutantError(f'{where}: `name` must be snake_case, e.g. name = "off_by_one"')
    where = f"{deliverable.entry} [[mutants]] {name!r}"
    why = item.get("why")
    if not isinstance(why, str) or not why.strip() or "\n" in why.strip():
        raise MutantError(f"{where}: say in one line of `why` what makes this answer wrong")
    override = item.get("override", "")
    replace = item.get("replace", [])
    if not isinstance(override, str) or not isinstance(replace, list):
        raise MutantError(f"{where}: `override` is a string, `replace` an array of tables")
    if bool(override) == bool(replace):
        raise MutantError(f"{where}: give either [[mutants.replace]] edits or an `override`")
    file = item.get("file", deliverable.solution)
    if override and "file" in item:
        raise MutantError(f"{where}: an override replaces the solution; it takes no `file`")
    if not isinstance(file, str) or not (root / file).is_file():
        raise MutantError(f"{where}: `file` {file!r} is not a file of this repository")
    if file != deliverable.solution:
        if not deliverable.is_python:
            raise MutantError(
                f"{where}: a {deliverable.kind} exercise can only edit its own solution"
            )
        if not (file.startswith("rxvision/") and file.endswith(".py")):
            raise MutantError(f"{where}: `file` must be the solution or a module of rxvision/")
    edits = []
    for j, edit in enumerate(replace, start=1):
        if not (
            isinstance(edit, dict)
            and isinstance(edit.get("old"), str)
            and isinstance(edit.get("new"), str)
            and set(edit) == {"old", "new"}
        ):
            raise MutantError(f"{where}: edit number {j} needs exactly string `old` and `new`")
        if not edit["old"]:
            raise MutantError(f"{where}: edit number {j} has an empty `old`")
        if edit["old"] == edit["new"]:
            raise MutantError(f"{where}: edit number {j} changes nothing")
        edits.append(Edit(edit["old"], edit["new"]))
    return Mutant(
        exercise=deliverable.id,
        name=name,
        why=why.strip(),
        file=file,
        entry=deliverable.entry,
        edits=tuple(edits),
        override=override,
    )


def load_all(curriculum: Curriculum) -> tuple[dict[str, list[Mutant]], list[str]]:
    """Mutants of every entry by id, and the errors of entries whose mutants do not parse."""
    found: dict[str, list[Mutant]] = {}
    errors: list[str] = []
    for deliverable in curriculum:
        try:
            if mutants := load(curriculum, deliverable):
                found[deliverable.id] = mutants
        except MutantError as err:
            errors.append(str(err))
    return found, errors


def patched_text(mutant: Mutant, root: Path) -> str:
    """The mutant's file with its edits made (or the override itself).

    Raises:
        MutantError: an ``old`` that does not occur exactly once (the mutant is stale).
    """
    if mutant.override:
        return mutant.override
    text = (root / mutant.file).read_text(encoding="utf-8")
    for j, edit in enumerate(mutant.edits, start=1):
        count = text.count(edit.old)
        if count != 1:
            raise MutantError(
                f"stale mutant {mutant.where}: edit number {j} must match {mutant.file} exactly "
                f"once, found {count} times: {edit.old.strip()[:80]!r}"
            )
        text = text.replace(edit.old, edit.new)
    return text


def materialize(mutant: Mutant, root: Path, directory: Path) -> Path:
    """Write the mutant's file to ``directory`` once, at a path stable for this mutant.

    A stable path lets results memoised per path (a notebook's execution) be shared by the tests
    of one session.
    """
    suffix = ".py" if mutant.override else Path(mutant.file).suffix
    out = directory / f"{mutant.stem}{suffix}"
    if not out.exists():
        text = patched_text(mutant, root)
        directory.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return out


def _dotted(rel: str) -> str:
    return rel.removesuffix(".py").replace("/", ".")


def _exec_file(name: str, path: Path, package: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    module.__package__ = package
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _imports(module: ModuleType) -> set[str]:
    """Dotted names of the modules ``module``'s source imports (``from a import b`` counts
    ``a.b`` too, which may be a submodule)."""
    file = getattr(module, "__file__", None)
    if not file or not file.endswith(".py"):
        return set()
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return set()
    package = (
        module.__name__ if file.endswith("__init__.py") else module.__name__.rpartition(".")[0]
    )
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def _dependents(dotted: str) -> list[str]:
    """Loaded modules of the same top-level package that import ``dotted``, directly or not."""
    top = dotted.split(".")[0]
    loaded = {
        name: _imports(module)
        for name, module in list(sys.modules.items())
        if module is not None and (name == top or name.startswith(top + "."))
    }
    closure = {dotted}
    changed = True
    while changed:
        changed = False
        for name, imported in loaded.items():
            if name not in closure and imported & closure:
                closure.add(name)
                changed = True
    return sorted(closure - {dotted})


@contextlib.contextmanager
def _isolated(names: list[str]) -> Iterator[None]:
    """Inside the block ``names`` are not imported yet; afterwards the originals are back
    (modules and their attributes on parent packages), and the copies made inside are dropped."""
    saved = {name: sys.modules[name] for name in names if name in sys.modules}
    attrs = {}
    for name in names:
        parent, _, child = name.rpartition(".")
        if parent in sys.modules and hasattr(sys.modules[parent], child):
            attrs[name] = (sys.modules[parent], child, getattr(sys.modules[parent], child))
    for name in names:
        sys.modules.pop(name, None)
    try:
        yield
    finally:
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
        for parent, child, value in attrs.values():
            setattr(parent, child, value)


def build_module(
    mutant: Mutant, deliverable: Deliverable, root: Path, directory: Path
) -> ModuleType:
    """Import the module a Python exercise's tests grade when ``mutant`` is the answer.

    The solution (or the override) is imported from a file written under ``directory``, under a
    private name, so the real solution and the reference system stay untouched. When the mutant
    edits an ``rxvision`` module, that module is imported afresh from its edited text and the
    solution is imported against it.

    Raises:
        MutantError: the mutant is stale, or importing it raised (the message says what).
    """
    private = f"_rxgrade_mutant_{mutant.stem}"
    if private not in sys.modules:
        module = _build(mutant, deliverable, root, directory, private)
        module.__rxgrade_ref__ = f"{_REF}{root}{_SEP}{mutant.key}{_SEP}{directory}"
    return sys.modules[private]


_REF, _SEP = "mutant:", "::"


def load_ref(ref: str) -> ModuleType:
    """Rebuild, in another process, the mutant module whose ``__rxgrade_ref__`` is ``ref``
    (a service test that starts uvicorn on the module under test uses this)."""
    from grader import manifest

    root, key, directory = ref.removeprefix(_REF).split(_SEP)
    curriculum = manifest.load(Path(root))
    exercise, _, name = key.partition(":")
    deliverable = curriculum[exercise]
    mutant = next(m for m in load(curriculum, deliverable) if m.name == name)
    return build_module(mutant, deliverable, Path(root), Path(directory))


def _build(
    mutant: Mutant, deliverable: Deliverable, root: Path, directory: Path, private: str
) -> ModuleType:
    solution_name = deliverable.module_name("solution")
    try:
        if mutant.override or mutant.file == deliverable.solution:
            path = materialize(mutant, root, directory)
            return _exec_file(private, path, solution_name.rpartition(".")[0])
        # An rxvision module behind the solution. Import the originals of everything first;
        # then, with the edited module in its place, import afresh the solution and every
        # rxvision module that depends on the edited one (an app that imports a route, say).
        # Those copies belong to the mutant alone: afterwards the originals are restored, so no
        # other test or mutant of the session sees the bug.
        importlib.import_module(solution_name)
        dotted = _dotted(mutant.file)
        importlib.import_module(dotted)
        dependents = _dependents(dotted)
        edited = _exec_file(
            f"{private}__{dotted.replace('.', '_')}",
            materialize(mutant, root, directory),
            dotted.rpartition(".")[0],
        )
        with _isolated([dotted, *dependents]):
            sys.modules[dotted] = edited
            parent, _, child = dotted.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, edited)
            # A copy of the solution, so each mutant's module has a file of its own (tests key
            # caches on ``impl.__file__``).
            copy = directory / f"{mutant.stem}__solution.py"
            copy.write_text((root / deliverable.solution).read_text(encoding="utf-8"))
            module = _exec_file(private, copy, solution_name.rpartition(".")[0])
            for name in dependents:
                if name in sys.modules:  # keep the mutant's copies alive under private names
                    sys.modules[f"{private}__{name.replace('.', '_')}"] = sys.modules[name]
            return module
    except MutantError:
        raise
    except BaseException as exc:  # noqa: BLE001 - a broken mutant, whatever it raised
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise MutantError(
            f"mutant {mutant.where} fails at import: {type(exc).__name__}: {exc}"
        ) from exc


def check(mutants: list[Mutant], root: Path) -> list[str]:
    """Static problems of ``mutants``: stale edits, Python that does not compile, and names the
    edit leaves undefined (ruff's F821, new ones only). Each message names the mutant."""
    problems: list[str] = []
    python: list[tuple[Mutant, str]] = []
    for mutant in mutants:
        try:
            text = patched_text(mutant, root)
        except MutantError as err:
            problems.append(str(err))
            continue
        suffix = ".py" if mutant.override else Path(mutant.file).suffix
        if suffix != ".py":
            continue
        try:
            compile(text, mutant.where, "exec")
        except SyntaxError as err:
            problems.append(
                f"mutant {mutant.where} does not compile: {err.msg} (line {err.lineno})"
            )
            continue
        python.append((mutant, text))
    problems += _undefined_names(python, root)
    return problems


def _undefined_names(items: list[tuple[Mutant, str]], root: Path) -> list[str]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not items or not Path(ruff).exists():
        return []
    import tempfile

    with tempfile.TemporaryDirectory(prefix="rxgrade-mutants-") as tmp:
        files: dict[str, tuple[Mutant, str | None]] = {}
        for i, (mutant, text) in enumerate(items):
            edited = Path(tmp) / f"m{i}.py"
            edited.write_text(text, encoding="utf-8")
            original = None
            if not mutant.override:
                original = str(Path(tmp) / f"o{i}.py")
                Path(original).write_text((root / mutant.file).read_text(encoding="utf-8"))
            files[str(edited)] = (mutant, original)
        proc = subprocess.run(
            [
                ruff,
                "check",
                "--no-cache",
                "--isolated",
                "--select",
                "F821",
                "--output-format",
                "json",
                "--exit-zero",
                tmp,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            found = json.loads(proc.stdout or "[]")
        except json.JSONDecodeError:
            return []
    names: dict[str, set[str]] = {}
    for diag in found:
        names.setdefault(diag["filename"], set()).add(diag["message"])
    problems = []
    for edited, (mutant, original) in files.items():
        new = names.get(edited, set()) - names.get(original or "", set())
        for message in sorted(new):
            problems.append(f"mutant {mutant.where} leaves a name undefined: {message}")
    return problems
