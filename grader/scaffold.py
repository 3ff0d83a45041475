"""``rxgrade new weekN.name``: scaffold an exercise's files from its curriculum entry (authors).

Like rustlings' ``dev new``. The id must already be in ``curriculum.toml``, usually as a
``planned`` entry: the index decides where the exercise sits in the roadmap, so :func:`scaffold`
never guesses a place. For an unknown id it stops and shows the exact line to add.

It writes, and never overwrites (when one of them exists it names it and writes nothing):

- the stub, ``Deliverable.paths.stub``: a module ``weeks/weekN/<name>.py`` whose function raises
  ``NotImplementedError`` under a ``# TODO``; a percent-format notebook for a notebook; a Markdown
  template for a written deliverable; a commented placeholder for a configuration file;
- the solution at the same place under ``solutions/``, raising
  ``NotImplementedError("write the reference solution")`` (or saying so, for Markdown);
- the tests ``weeks/weekN/tests/test_<name>.py``: one placeholder test that always fails;
- the entry file ``curriculum/weekN/<name>.toml`` from a template when it is missing (TODO values
  that parse, ``minutes = 0`` until the author estimates it and ``tier = "core"``; fields the
  index already gives are left out), and at its end, in any case, a commented ``[[mutants]]``
  example.

Then it marks the entry ``ready`` in ``curriculum.toml``, so that ``rxgrade verify`` checks it
from now on and fails, naming what is left (the reference solution, the tests, the mutants),
until the exercise is complete: a scaffold never passes by accident. :data:`SOLUTION_MARK` and
:data:`PLACEHOLDER_MARK` are how ``verify`` recognises what this module wrote.
"""

from __future__ import annotations

import json
import re
import textwrap
import tomllib
from pathlib import Path

from grader import manifest
from grader.manifest import ENTRIES_DIR, MANIFEST, Deliverable

__all__ = [
    "PLACEHOLDER_MARK",
    "SOLUTION_MARK",
    "ScaffoldError",
    "is_scaffold_solution",
    "scaffold",
]

#: The failure message of the placeholder test starts with it (and its file holds it).
PLACEHOLDER_MARK = "placeholder test written by rxgrade new"
#: A scaffolded solution raises ``NotImplementedError`` with it, or (not Python) contains it.
SOLUTION_MARK = "write the reference solution"

_ID = re.compile(r"week(\d+)\.([a-z_][a-z0-9_]*)")
_WIDTH = 99
_NOTEBOOK_HEADER = """\
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""
# the learner's stub is a jupytext pair (.py + .ipynb, tests/grader/test_notebooks.py)
_PAIRED_HEADER = _NOTEBOOK_HEADER.replace(
    "#   jupytext:\n", "#   jupytext:\n#     formats: ipynb,py:percent\n", 1
)
_MUTANTS_EXAMPLE = """
# Mutants: plausible wrong answers the tests must catch (docs/authors.md, grader/mutants.py).
# `rxgrade new` wrote this example: copy it without the "# ", one [[mutants]] table per classic
# mistake (aim for five or more). Each `old` must occur exactly once in the solution (or in the
# rxvision/ module named by `file`), and `rxgrade verify` fails until a test catches each one.
#
# [[mutants]]
# name = "off_by_one"
# why = "one line: what makes this answer wrong"
# file = "rxvision/..."  # optional; default: the solution
#
# [[mutants.replace]]
# old = "text that occurs exactly once in the solution"
# new = "the same text with the bug"
"""


#: Trailing comments of template fields whose TODO value must be a number or a keyword.
_FIELD_COMMENTS = {
    "minutes": "TODO: estimated hands-on minutes (> 0); a day's core fits its hands-on hours",
    "tier": "core (the day's plan) or stretch (for learners with time left)",
}


class ScaffoldError(ValueError):
    """The exercise cannot be scaffolded; the message says why and what to do."""


def is_scaffold_solution(text: str) -> bool:
    """Whether a solution file is still what :func:`scaffold` wrote."""
    return (
        f'NotImplementedError("{SOLUTION_MARK}")' in text or f"rxgrade new: {SOLUTION_MARK}" in text
    )


def _find(data: dict, deliverable_id: str) -> tuple[int, str, dict]:
    """(week, day, index entry) of ``deliverable_id`` in the parsed ``curriculum.toml``."""
    for week in data.get("weeks", []):
        for day in week.get("days", []):
            for entry in day.get("deliverables", []):
                if isinstance(entry, dict) and entry.get("id") == deliverable_id:
                    return week["number"], day["name"], entry
        for entry in week.get("success", {}).get("criteria", []):
            if isinstance(entry, dict) and entry.get("id") == deliverable_id:
                return week["number"], "criteria", entry
    raise LookupError(deliverable_id)


def _unknown(data: dict, deliverable_id: str, number: int) -> ScaffoldError:
    weeks = {w.get("number"): w for w in data.get("weeks", [])}
    if number not in weeks:
        known = ", ".join(str(n) for n in sorted(weeks))
        return ScaffoldError(f"{MANIFEST} has no week {number} (its weeks: {known})")
    days = ", ".join(d.get("name", "?") for d in weeks[number].get("days", []))
    return ScaffoldError(
        f"{deliverable_id} is not in {MANIFEST}. Its index decides where an exercise sits in the "
        f"roadmap, so `rxgrade new` does not guess: add this line to the `deliverables` of its "
        f"day in week {number} ({days}), or to the week's `[weeks.success] criteria`, in "
        f"roadmap order, then run `rxgrade new {deliverable_id}` again:\n\n"
        f'    {{ id = "{deliverable_id}", status = "planned" }},\n'
    )


def _entry_template(
    deliverable_id: str, index_entry: dict, sources: list[str], kind: str, title: str | None
) -> str:
    """A new entry file: the required fields the index does not give, with TODO values."""
    fields = {
        "title": title or "TODO: what the learner builds, in a few words",
        "kind": kind,
        "points": 10,
        "minutes": 0,
        "tier": "core",
        "seed": "TODO: the exact deliverable line of the source document this entry answers",
        "source": sources[0] if sources else "TODO",
        "summary": "TODO: one paragraph for the docs: what the learner builds, what is graded.",
        "hints": [
            "TODO: where to start (gentle).",
            "TODO: the shape of the solution.",
            "TODO: nearly the answer.",
        ],
    }
    lines = [
        f"# {deliverable_id}: the entry's text, hints and mutants (its order and status are in "
        f"{MANIFEST}).",
        "# Scaffolded by `rxgrade new`: replace every TODO (docs/authors.md).",
        "",
    ]
    for key, value in fields.items():
        if key in index_entry:
            continue
        if isinstance(value, list):
            lines += [f"{key} = [", *(f"    {json.dumps(v)}," for v in value), "]"]
        else:
            comment = _FIELD_COMMENTS.get(key)
            lines.append(f"{key} = {json.dumps(value)}" + (f"  # {comment}" if comment else ""))
    return "\n".join(lines) + "\n"


def _wrap(text: str, prefix: str = "") -> str:
    """``text`` as paragraphs of lines of at most 99 characters, each starting with ``prefix``."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    blocks = [
        textwrap.fill(
            p, _WIDTH, initial_indent=prefix, subsequent_indent=prefix, break_on_hyphens=False
        )
        for p in paragraphs
    ]
    return f"\n{prefix.rstrip()}\n".join(blocks)


def _docstring_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _python(d: Deliverable, solution: bool) -> str:
    summary = _docstring_text(d.summary.strip() or "TODO (author): what the learner builds.")
    if solution:
        head = (
            f'"""Reference solution of ``{d.id}`` (TODO (author): write it here, or re-export '
            'the\nrxvision/ code it is part of; same names and signatures as the stub)."""'
        )
        body = f'    raise NotImplementedError("{SOLUTION_MARK}")'
    else:
        head = (
            f'"""{_docstring_text(d.title.rstrip("."))}.\n\n{_wrap(summary)}\n\n'
            "TODO (author): the docstrings are the spec, for a learner: inputs, outputs, shapes,"
            "\nerrors, and an example when it helps (docs/authors.md).\n"
            '"""'
        )
        body = f"    # TODO: write {d.name}\n    raise NotImplementedError"
    return (
        f"{head}\n\nfrom __future__ import annotations\n\n"
        f'__all__ = ["{d.name}"]\n\n\n'
        f"def {d.name}() -> None:\n"
        '    """TODO (author): what it takes, returns and raises."""\n'
        f"{body}\n"
    )


def _notebook(d: Deliverable, solution: bool) -> str:
    raise_line = (
        f'raise NotImplementedError("{SOLUTION_MARK}")'
        if solution
        else 'raise NotImplementedError("part 1: TODO (author)")'
    )
    summary = _wrap(d.summary.strip() or "TODO (author): what the learner explores.", "# ")
    return (
        f"{_NOTEBOOK_HEADER if solution else _PAIRED_HEADER}\n"
        "# %% [markdown]\n"
        f"# # {d.title}\n#\n{summary}\n#\n"
        "# The grader runs this file headless and reads `results.json` written by the last cell.\n"
        "\n# %%\nimport json\nfrom pathlib import Path\n\nresults: dict = {}\n\n"
        "# %% [markdown]\n# ## 1. TODO (author): the first part\n\n"
        "# %%\n# TODO: what to compute here, and what to store in results[...]\n"
        f"{raise_line}\n\n"
        "# %% [markdown]\n# ## Results\n\n"
        "# %%\n"
        "required: tuple[str, ...] = ()  # TODO (author): the keys of results the tests read\n"
        "missing = [key for key in required if key not in results]\n"
        'assert not missing, f"fill results[...] for {missing} in the cells above"\n'
        'Path("results.json").write_text(json.dumps(results, indent=2))\n'
    )


def _markdown(d: Deliverable, solution: bool) -> str:
    if solution:
        return (
            f"# {d.title}\n\n<!-- rxgrade new: {SOLUTION_MARK} (an exemplar answer that passes "
            "the tests) -->\n"
        )
    summary = _wrap(d.summary.strip() or "TODO (author): what the learner writes.")
    return (
        f"# {d.title}\n\n<!--\n{summary}\n\n"
        "TODO (author): what goes in each section and what the grader checks\n"
        f"({d.tests}): the headings, the minimum words, the tables.\n-->\n\n"
        "## TODO (author): the first section\n\n<!-- What goes here. -->\n"
    )


def _config(d: Deliverable, solution: bool) -> str:
    suffix = Path(d.module).suffix
    text = f"rxgrade new: {SOLUTION_MARK}" if solution else f"TODO: {d.title}"
    if suffix == ".json":
        return json.dumps({"TODO": text}, indent=2) + "\n"
    comment = "//" if suffix in (".proto", ".js", ".ts") else "#"
    return f"{comment} {text}\n"


def _tests(d: Deliverable) -> str:
    fixture = "impl" if d.is_python else "target_path"
    return (
        f'"""Tests of {d.id}: TODO (author).\n\n'
        "Scaffolded by ``rxgrade new``: replace the placeholder with tests whose failure messages\n"
        "tell the learner what was expected and what they produced (docs/authors.md).\n"
        f"Run: ``pytest {d.tests}`` (and ``--target solution``).\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "import pytest\n\n\n"
        f"def test_placeholder({fixture}) -> None:\n"
        "    pytest.fail(\n"
        f'        "{PLACEHOLDER_MARK}: write the tests of "\n'
        f'        "{d.id} in {d.tests}",\n'
        "        pytrace=False,\n"
        "    )\n"
    )


def _files(d: Deliverable) -> dict[str, str]:
    """The stub, solution and tests of ``d``, by path relative to the root."""
    suffix = Path(d.module).suffix
    if d.kind == "notebook":
        write = _notebook
    elif suffix == ".py":
        write = _python
    elif suffix == ".md":
        write = _markdown
    else:
        write = _config
    return {
        d.module: write(d, False),
        d.solution: write(d, True),
        d.tests: _tests(d),
    }


def _packages(root: Path, d: Deliverable) -> list[str]:
    """Missing ``__init__.py`` files of the stub's and solution's packages (Python only)."""
    if not d.is_python:
        return []
    missing = []
    for rel in (d.module, d.solution):
        parts = Path(rel).parts[:-1]
        for depth in range(1, len(parts) + 1):
            init = Path(*parts[:depth], "__init__.py")
            if not (root / init).exists() and init.as_posix() not in missing:
                missing.append(init.as_posix())
    return missing


def _mark_ready(text: str, deliverable_id: str) -> str:
    """``curriculum.toml`` with the entry's ``status = "planned"`` made ``"ready"``: in its inline
    table ``{ id = "...", status = "planned" }``, or in its ``[[...deliverables]]`` table."""
    quoted = re.escape(json.dumps(deliverable_id))
    inline = re.compile(rf'(\bid\s*=\s*{quoted}\s*,\s*status\s*=\s*)"planned"')
    if inline.search(text):
        return inline.sub(r'\1"ready"', text, count=1)
    lines = text.splitlines(keepends=True)
    ids = [i for i, line in enumerate(lines) if re.match(rf"\s*id\s*=\s*{quoted}\s*$", line)]
    if len(ids) != 1:
        return text
    headers = [i for i, line in enumerate(lines) if line.lstrip().startswith("[")]
    first = max([h for h in headers if h < ids[0]], default=-1) + 1
    last = min([h for h in headers if h > ids[0]], default=len(lines))
    for row in range(first, last):
        if re.match(r'\s*status\s*=\s*"planned"', lines[row]):
            lines[row] = lines[row].replace('"planned"', '"ready"', 1)
            return "".join(lines)
    return text


def scaffold(
    curriculum_root: Path | str,
    deliverable_id: str,
    *,
    kind: str | None = None,
    title: str | None = None,
) -> list[Path]:
    """Write the files of ``deliverable_id`` (see the module docstring) and return them.

    ``kind`` and ``title`` are used only when the entry file is created; when the entry already
    says otherwise they are an error, not a silent override.

    Raises:
        ScaffoldError: an unknown or malformed id, a conflicting ``kind`` or ``title``, an
            invalid curriculum, or files that already exist (nothing is written then).
    """
    root = Path(curriculum_root).resolve()
    match = _ID.fullmatch(deliverable_id)
    if match is None:
        raise ScaffoldError(f"{deliverable_id!r}: an id looks like week2.snake_case_name")
    if kind is not None and kind not in manifest.KINDS:
        raise ScaffoldError(f"--kind must be one of {', '.join(manifest.KINDS)}")
    index_path = root / MANIFEST
    try:
        data = tomllib.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScaffoldError(f"cannot read {index_path}: {exc}") from exc
    try:
        week, _day, index_entry = _find(data, deliverable_id)
    except LookupError:
        raise _unknown(data, deliverable_id, int(match.group(1))) from None
    entry_rel = f"{ENTRIES_DIR}/week{week}/{match.group(2)}.toml"
    entry_path = root / entry_rel
    new_entry = None
    if not entry_path.is_file():
        new_entry = _entry_template(
            deliverable_id, index_entry, list(data.get("sources", {})), kind or "code", title
        )
        index_entry.update(tomllib.loads(new_entry))  # in memory only: to know its paths
    try:
        deliverable = manifest.parse(data, root)[deliverable_id]
    except (manifest.ManifestError, KeyError) as exc:
        raise ScaffoldError(f"the curriculum does not load: {exc}") from exc
    for option, value, actual in (
        ("kind", kind, deliverable.kind),
        ("title", title, deliverable.title),
    ):
        if value is not None and value != actual:
            raise ScaffoldError(
                f"--{option} {value!r}, but {deliverable_id} already has {option} = {actual!r}: "
                f"edit it in {entry_rel if new_entry is None else MANIFEST} instead"
            )
    files = _files(deliverable)
    pair = Path(deliverable.module).with_suffix(".ipynb").as_posix()
    planned_paths = [*files, pair] if deliverable.kind == "notebook" else list(files)
    if existing := [rel for rel in planned_paths if (root / rel).exists()]:
        raise ScaffoldError(
            f"{deliverable_id}: {', '.join(existing)} already exist(s); `rxgrade new` never "
            "overwrites a file, so it wrote nothing. Move them away to start over, or finish "
            "the exercise by hand."
        )
    written: list[Path] = []
    entry_text = new_entry if new_entry is not None else entry_path.read_text(encoding="utf-8")
    if "[[mutants]]" not in entry_text:
        entry_text = entry_text.rstrip("\n") + "\n" + _MUTANTS_EXAMPLE
    if new_entry is not None or entry_text != entry_path.read_text(encoding="utf-8"):
        entry_path.parent.mkdir(parents=True, exist_ok=True)
        entry_path.write_text(entry_text, encoding="utf-8")
        written.append(entry_path)
    for rel in [*_packages(root, deliverable), *files]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files.get(rel, ""), encoding="utf-8")
        written.append(path)
    if deliverable.kind == "notebook":  # the .ipynb the learner opens in JupyterLab
        import jupytext

        jupytext.write(jupytext.read(root / deliverable.module), root / pair)
        written.append(root / pair)
    if deliverable.planned:
        text = index_path.read_text(encoding="utf-8")
        ready = _mark_ready(text, deliverable_id)
        if ready == text:
            raise ScaffoldError(
                f'wrote {len(written)} files, but could not find `status = "planned"` of '
                f'{deliverable_id} in {MANIFEST}: set it to "ready" by hand'
            )
        index_path.write_text(ready, encoding="utf-8")
        written.append(index_path)
    return written
