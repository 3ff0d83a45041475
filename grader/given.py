"""Given code: what a stub marks as given must be the reference's code, copied into the stub.

A stub hands the learner some code ready-made (constants, result types, helpers). The learner
must not change it and the tests rely on it, so it has to *be* the reference's code, written out
where the learner reads it. :func:`given_names` finds what a stub marks as given:

- the module docstring's list ``Given (do not change): ``MEAN``, :class:`Deployment` and
  ``denormalize``.`` (or ``Given: ...``). Every name in double back-quotes or a Sphinx role is
  given and must be in the stub. ``Class``'s ``method`` narrows to that method; a name that is
  no top-level name of the stub (``__init__``, ``version``) means that method of the stub's
  classes that define it; prose ("the parameter checks") cannot be checked and is skipped;
- elsewhere in the module docstring, ````Name`` (given ...)`` and ````Name`` is given``, for
  names the stub has;
- a function, class or method whose own docstring says ``(given)``, ``(Given.)``, ``Given.`` or
  ``Given: ...``;
- a top-level assignment whose ``#:`` comment says ``(given ...)`` or ends in ``, given.``;
- a top-level section comment ``# -- given: ...`` or ``# Given: ...``: every definition below it
  up to the next ``# --`` comment.

:func:`given_problems` compares each with the object of the same name in the solution (a
solution that re-exports ``rxvision/`` code does not re-export private helpers: those are looked
up in the modules it re-exports from):

- functions, classes and methods: the AST of the stub's definition against the AST of
  ``inspect.getsource`` of the reference object, docstrings removed (the stub's speak to the
  learner and may differ); everything else, decorators and annotations included, must match;
- anything the stub assigns (constants): the values, ``==`` and the same type.

A difference is a problem, with a short unified diff; so is a given name the stub imports
instead of defining (the learner would not see the code they must rely on) and an explicitly
listed one the stub does not have.
"""

from __future__ import annotations

import ast
import copy
import difflib
import importlib
import inspect
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from grader.manifest import Curriculum, Deliverable
from grader.verify import Problem

__all__ = ["Given", "given_names", "given_problems", "stub_problems"]

# ``name``, ``name()`` or :role:`name` / :role:`~name`
_REF = r"(?:``|:[a-z]+:`~?)([A-Za-z_][\w.]*)(?:\(\))?(?:``|`)"
_REF_RE = re.compile(_REF)
_LIST = re.compile(r"\bGiven(?: \(do not change\))?:\s+(.+?)(?:\.\s|\.$|\n\s*\n|$)", re.S)
_MENTION = re.compile(r"(?:``|:[a-z]+:`~?)([A-Za-z_]\w*)")
_INLINE = re.compile(_REF + r"\s+(?:\(given\b|is\s+given\b)")
_DOCSTRING_MARK = re.compile(r"\((?:given|Given)\b|(?:^|[.!?]\s+)Given(?:[.:]|\s*\()")
_COMMENT_MARK = re.compile(r"\(given\b|,\s*given\.?\s*$", re.I)
_SECTION_GIVEN = re.compile(r"^#\s*(?:--\s*)?given\b", re.I)
_SECTION = re.compile(r"^#\s*--")
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MAX_DIFF_LINES = 16


@dataclass(frozen=True)
class Given:
    """One name a stub marks as given."""

    name: str  # "MEAN", "denormalize", or "MicroBatcher.__aenter__" for a method
    marker: str  # how the stub marks it, for messages
    required: bool = True  # named explicitly: the stub must have it


def _defines(node: ast.stmt) -> list[str]:
    """The names a top-level definition or assignment binds."""
    if isinstance(node, _DEFS):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _top_level(tree: ast.Module) -> tuple[dict[str, ast.stmt], dict[str, ast.stmt]]:
    """The stub's top-level definitions and its imported names, by the name they bind."""
    defined: dict[str, ast.stmt] = {}
    imported: dict[str, ast.stmt] = {}
    for node in tree.body:
        defined.update(dict.fromkeys(_defines(node), node))
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound != "*":
                    imported[bound] = node
    return defined, imported


def _member(cls: ast.ClassDef, name: str) -> ast.stmt | None:
    for node in cls.body:
        if isinstance(node, _DEFS) and node.name == name:
            return node
    return None


def _resolve(name: str, tree: ast.Module) -> list[str]:
    """The names to check for a name a marker gives: itself, or ``Class.method`` for each of the
    stub's classes defining it (empty when the stub has it nowhere)."""
    defined, imported = _top_level(tree)
    head, _, rest = name.partition(".")
    if rest:
        cls = defined.get(head)
        ok = isinstance(cls, ast.ClassDef) and "." not in rest and _member(cls, rest) is not None
        return [name] if ok else []
    if name in defined or name in imported:
        return [name]
    return [
        f"{node.name}.{name}"
        for node in tree.body
        if isinstance(node, ast.ClassDef) and _member(node, name) is not None
    ]


def _listed(docstring: str) -> list[tuple[str, int]]:
    """Names of the docstring's ``Given (do not change): ...`` list (``Class``'s ``m`` -> C.m),
    with where the list starts."""
    names = []
    for match in _LIST.finditer(docstring):
        for item in re.split(r",|\band\b", match.group(1)):
            owner = ""
            for ref in _REF_RE.finditer(item):
                if item[ref.end() :].startswith("'s"):
                    owner = ref.group(1)
                    continue
                name = f"{owner}.{ref.group(1)}" if owner else ref.group(1)
                names.append((name, match.start()))
    return names


def given_names(source: str) -> list[Given]:
    """Every name ``source`` (a stub) marks as given, in the order found, each once."""
    tree = ast.parse(source)
    lines = source.splitlines()
    found: dict[str, Given] = {}

    def add(name: str, marker: str, required: bool, position: int | None = None) -> None:
        resolved = _resolve(name, tree)
        if len(resolved) > 1 and position is not None:
            # ``__init__`` is given: the one of the class the docstring was just talking about
            mentioned = [m.group(1) for m in _MENTION.finditer(docstring, 0, position)]
            owners = [n.split(".")[0] for n in resolved]
            if near := [owner for owner in reversed(mentioned) if owner in owners][:1]:
                resolved = [n for n in resolved if n.split(".")[0] == near[0]]
        if not resolved and required:
            found.setdefault(name, Given(name, marker, required=True))
        for each in resolved:
            found.setdefault(each, Given(each, marker, required))

    docstring = ast.get_docstring(tree) or ""
    for name, position in _listed(docstring):
        add(name, "the module docstring's list of given names", True, position)
    for match in _INLINE.finditer(docstring):
        add(match.group(1), f"the module docstring: {match.group(0)!r}", False, match.start())
    for node in tree.body:
        members = [(node.name, node)] if isinstance(node, _DEFS) else []
        if isinstance(node, ast.ClassDef):
            members += [(f"{node.name}.{m.name}", m) for m in node.body if isinstance(m, _DEFS)]
        for name, member in members:
            if _DOCSTRING_MARK.search(ast.get_docstring(member) or ""):
                add(name, "its docstring", False)
        if isinstance(node, ast.Assign | ast.AnnAssign):
            comment, row = [], node.lineno - 2
            while row >= 0 and lines[row].startswith("#:"):
                comment.insert(0, lines[row].removeprefix("#:").strip())
                row -= 1
            if _COMMENT_MARK.search(" ".join(comment)):
                for name in _defines(node):
                    add(name, "its #: comment", False)
    section = False
    starts = {_start(node): node for node in tree.body}
    for row, line in enumerate(lines, start=1):
        if _SECTION_GIVEN.match(line):
            section = True
        elif _SECTION.match(line):
            section = False
        node = starts.get(row)
        if section and node is not None:
            for name in _defines(node):
                if not name.startswith("__"):  # __all__ is no given code
                    add(name, "a '# -- given' section", False)
    return list(found.values())


def _start(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


# -- comparing with the reference (runs where the stub and the solution can be imported) --------
def _strip_docstrings(node: ast.AST, name: str) -> ast.AST:
    node = copy.deepcopy(node)
    if isinstance(node, _DEFS):
        node.name = name  # a solution may re-export the reference under another name
    for each in ast.walk(node):
        if isinstance(each, _DEFS):
            body = each.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                body = body[1:]
            each.body = body or [ast.Pass()]
    return node


def _reference(solution: ModuleType, name: str) -> object:
    """The solution's object called ``name`` (``Class.method`` too), or, for a name the solution
    does not re-export, the same name in the modules its own objects come from."""
    head, _, attr = name.partition(".")
    if hasattr(solution, head):
        obj = getattr(solution, head)
    else:
        homes = [solution.__name__]
        for value in vars(solution).values():
            home = getattr(value, "__module__", None)
            if isinstance(home, str) and home not in homes:
                homes.append(home)
        for home in homes:
            module = sys.modules.get(home)
            if module is not None and hasattr(module, head):
                obj = getattr(module, head)
                break
        else:
            raise LookupError(f"neither {solution.__name__} nor the modules it re-exports have it")
    if attr:
        obj = inspect.getattr_static(obj, attr)
        if isinstance(obj, staticmethod | classmethod):
            obj = obj.__func__
        elif isinstance(obj, property):
            obj = obj.fget
    return obj


def _where(obj: object, root: Path) -> str:
    try:
        path = Path(inspect.getsourcefile(obj) or "?").resolve()  # type: ignore[arg-type]
        line = inspect.getsourcelines(obj)[1]  # type: ignore[arg-type]
    except (OSError, TypeError):
        return "the reference"
    if path.is_relative_to(root.resolve()):
        path = path.relative_to(root.resolve())
    return f"{path.as_posix()}:{line}"


def _diff(reference: str, stub: str, where: str, stub_path: str) -> str:
    lines = list(
        difflib.unified_diff(
            reference.splitlines(), stub.splitlines(), where, stub_path, lineterm="", n=1
        )
    )
    if len(lines) > _MAX_DIFF_LINES:
        lines = [*lines[:_MAX_DIFF_LINES], f"... ({len(lines) - _MAX_DIFF_LINES} more lines)"]
    return "\n".join(lines)


def _same_value(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    try:
        equal = a == b
        return equal if isinstance(equal, bool) else bool(equal.all())  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - values that do not compare: compare their text
        return repr(a) == repr(b)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def stub_problems(curriculum: Curriculum, deliverable: Deliverable) -> list[Problem]:
    """Given code of ``deliverable``'s stub that is not the reference's (imports both modules:
    call it in a fresh interpreter rooted at the course, as :func:`given_problems` does)."""
    where = deliverable.module
    source = (curriculum.root / where).read_text(encoding="utf-8")
    try:
        givens = given_names(source)
    except SyntaxError as exc:
        return [Problem(where, f"does not parse: {exc}")]
    if not givens:
        return []
    tree = ast.parse(source)
    defined, imported = _top_level(tree)
    try:
        stub = importlib.import_module(deliverable.module_name("learner"))
        solution = importlib.import_module(deliverable.module_name("solution"))
    except Exception as exc:  # noqa: BLE001 - any import failure is the author's problem to see
        return [Problem(where, f"cannot import to compare its given code: {exc!r}")]
    problems = []
    for given in givens:
        head, _, attr = given.name.partition(".")
        if head in imported and head not in defined and not attr:
            statement = ast.unparse(imported[head])
            problems.append(
                Problem(
                    where,
                    f"given `{given.name}` is imported (`{statement}`), not copied: write the "
                    "reference's code into the stub, where the learner reads it",
                )
            )
            continue
        node = defined.get(head)
        if attr and isinstance(node, ast.ClassDef):
            node = _member(node, attr)
        if node is None:
            problems.append(
                Problem(where, f"given `{given.name}` ({given.marker}) is not in the stub")
            )
            continue
        try:
            reference = _reference(solution, given.name)
        except (LookupError, AttributeError) as exc:
            problems.append(Problem(where, f"given `{given.name}`: no reference found: {exc}"))
            continue
        if not isinstance(node, _DEFS):
            mine = getattr(stub, head, None)
            if not _same_value(mine, reference):
                problems.append(
                    Problem(
                        where,
                        f"given `{given.name}` is {_short(mine)} in the stub but "
                        f"{_short(reference)} in the reference {solution.__name__}",
                    )
                )
            continue
        try:
            text = inspect.getsource(reference)  # type: ignore[arg-type]
            ref_node = ast.parse(textwrap.dedent(text)).body[0]
        except (OSError, TypeError, SyntaxError, IndexError) as exc:
            problems.append(
                Problem(where, f"given `{given.name}`: cannot read the reference's source: {exc}")
            )
            continue
        name = attr or head
        a, b = _strip_docstrings(ref_node, name), _strip_docstrings(node, name)
        if ast.dump(a) != ast.dump(b):
            ref_where = _where(reference, curriculum.root)
            diff = _diff(ast.unparse(a), ast.unparse(b), ref_where, where)
            problems.append(
                Problem(
                    where,
                    f"given `{given.name}` differs from the reference ({ref_where}); copy it "
                    f"exactly (only docstrings may differ):\n{diff}",
                )
            )
    return problems


def given_problems(curriculum: Curriculum, ids: Iterable[str] | None = None) -> list[Problem]:
    """Given code that differs from the reference, or is imported, in the ready Python entries
    (only ``ids``, when given), compared in a fresh interpreter rooted at the course."""
    wanted = set(ids) if ids is not None else None
    checked, problems = [], []
    for d in curriculum:
        if d.planned or not d.is_python or (wanted is not None and d.id not in wanted):
            continue
        path = curriculum.root / d.module
        if not path.is_file() or not (curriculum.root / d.solution).is_file():
            continue  # verify reports the missing file
        try:
            if given_names(path.read_text(encoding="utf-8")):
                checked.append(d.id)
        except SyntaxError as exc:
            problems.append(Problem(d.module, f"does not parse: {exc}"))
    if not checked:
        return problems
    proc = subprocess.run(
        [sys.executable, "-c", "from grader.given import _main; _main()", *checked],
        cwd=curriculum.root,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return [*problems, Problem("given code check", proc.stderr.strip()[-2000:])]
    return problems + [Problem(**raw) for raw in json.loads(proc.stdout.strip().splitlines()[-1])]


def _main() -> None:
    """``python -c 'from grader.given import _main; _main()' ID...`` in the course root."""
    from grader import manifest

    curriculum = manifest.load(".")
    sys.path.insert(0, str(curriculum.root))
    found = [vars(p) for i in sys.argv[1:] for p in stub_problems(curriculum, curriculum[i])]
    print(json.dumps(found))
