"""MkDocs hook: generate the roadmap and source pages from ``curriculum.toml`` at build time.

The manifest is the single source of truth, so nothing generated here is ever checked in:

- ``on_files`` adds ``roadmap/index.md`` (the course overview), ``roadmap/weekN.md`` (one page
  per week) and, under ``source/``, one page per file a learner is sent to: the stub, tests and
  reference solution of every ready exercise (notebook ``.py`` and written ``.md`` templates
  too), the ``rxvision/`` modules of the reference system, the source documents and the
  manifest itself. A source page (:func:`render_source`) shows the file with syntax
  highlighting, says where it is in the checkout and, for Python modules, lists their public
  functions and classes (so the site's search finds ``round_filters``). Every file link of the
  site points to these pages, so they work on a site served locally (``make docs``) from a
  checkout without a network; when ``repo_url`` is set in ``mkdocs.yml`` each also gets a small
  "on GitHub" link, and when it is not the site still builds.
- ``on_config`` lists the weeks in the navigation under "Roadmap".

Ready and coming (planned) entries look different everywhere: a *coming* badge and a muted style
(``docs/stylesheets/extra.css``), and no file links, in week overviews, day lists, headings and
the index. Every points figure comes from :class:`grader.manifest.Points`, the function
``rxgrade status`` uses too.

A deliverable that publishes a mentor rubric (``[[mentor_rubric]]`` in its entry file) shows it
under its files, in a collapsible "Mentor rubric" block (:func:`render_rubric`).

Every deliverable's heading carries a stable anchor, :func:`anchor` of its id
(``week1.efficientnet`` -> ``#week1-efficientnet``), so the grader and other pages can link to
``roadmap/week1/#week1-efficientnet``.

Registered in ``mkdocs.yml`` with ``hooks: [docs/hooks/roadmap.py]``.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import posixpath
import re
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pygments
import pymdownx
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from pymdownx.highlight import Highlight

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

    from grader.manifest import Curriculum, Day, Deliverable, Points, Week

__all__ = [
    "Links",
    "Use",
    "anchor",
    "blob_url",
    "points_sentence",
    "render_index",
    "render_modules",
    "render_rubric",
    "render_source",
    "render_week",
    "source_files",
    "source_uri",
]

log = logging.getLogger("mkdocs.hooks.roadmap")

ROADMAP_DIR = "roadmap"
SOURCE_DIR = "source"
NAV_TITLE = "Roadmap"
MODULES_MARKER = "<!-- rxvision-modules -->"
POINTS_MARKER = "<!-- rxvision-points -->"
MANIFEST = "curriculum.toml"
SERVICE_NAMES = {
    "redis": "Redis",
    "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL",
    "kafka": "Kafka",
    "mlflow": "MLflow",
}
LANGUAGES = {".py": "python", ".md": "markdown", ".toml": "toml"}
FILE_MARKER = "<!-- rxvision-source-file -->"
CACHE_VERSION = "1"  # bump when the highlighted markup changes
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
_CODE_SPAN = re.compile(r"(`+[^`]*`+)")
_BACKTICKS = re.compile(r"`+")
_RST_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|obj|const):`")


# -- small helpers ----------------------------------------------------------------------------
def anchor(deliverable_id: str) -> str:
    """The HTML id of a deliverable on its week page: the id with ``.`` replaced by ``-``."""
    return deliverable_id.replace(".", "-")


def blob_url(repo_url: str, path: str) -> str:
    """Link to a file of the repository on the default branch."""
    return f"{repo_url.rstrip('/')}/blob/main/{path}"


def source_uri(path: str) -> str:
    """The docs path of the generated page that shows the repository file ``path``."""
    return f"{SOURCE_DIR}/{path}.md"


def _relative(target: str, page: str) -> str:
    """Link from the docs page ``page`` to the docs path ``target`` (both relative to docs/)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def _week_uri(week: int) -> str:
    return f"{ROADMAP_DIR}/week{week}.md"


def _escape(text: str) -> str:
    """Escape Markdown in text quoted verbatim (the ``seed`` lines of the source documents)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text(text: str) -> str:
    """Manifest prose as one line of Markdown; a ``<`` outside code spans stays a character.

    Titles, summaries and study lines are Markdown (backticks, emphasis, links), but a stray
    ``<b>`` or ``List<int>`` must not open an HTML element that swallows the rest of the page.
    """
    parts = _CODE_SPAN.split(_one_line(text))
    return "".join(p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(parts))


def _heading(text: str) -> str:
    """Heading text whose braces cannot be taken for attr_list's ``{ #id }``."""
    return _text(text).replace("{", r"\{").replace("}", r"\}")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return _text(text).replace("|", r"\|")


def _code(text: str) -> str:
    """``text`` as one inline code span, whatever backticks it contains."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _badge(label: str, variant: str) -> str:
    return f'<span class="rx-badge rx-badge--{variant}">{label}</span>'


COMING_BADGE = _badge("coming", "coming")


def _hours(value: int) -> str:
    return f"{value} h"


def _duration(minutes: int) -> str:
    """``45 min``, ``2 h``, ``1 h 30 min``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _number(value: int) -> str:
    return f"{value:,}"


def _points(deliverables: Iterable[Deliverable]) -> Points:
    from grader.manifest import Points

    return Points.of(deliverables)


def _weeks_phrase(numbers: Sequence[int]) -> str:
    """``week 3``, ``weeks 2–5`` (a run) or ``weeks 2, 4 and 5``."""
    if len(numbers) == 1:
        return f"week {numbers[0]}"
    if list(numbers) == list(range(numbers[0], numbers[-1] + 1)):
        return f"weeks {numbers[0]}–{numbers[-1]}"
    return "weeks " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def points_sentence(curriculum: Curriculum) -> str:
    """What the course's points mean, in words, from :meth:`grader.manifest.Points.of`.

    ``rxgrade status`` computes its totals with the same function, so the two always agree.
    """
    points = _points(curriculum)
    sentence = f"**{_number(points.ready)} points are gradable today**"
    if points.coming:
        weeks = [w.number for w in curriculum.weeks if _points(w.deliverables).coming]
        sentence += (
            f"; {_number(points.coming)} more come with {_weeks_phrase(weeks)} as they are "
            f"built ({_number(points.total)} in all)"
        )
    return (
        sentence + ". `rxgrade status` counts the gradable ones: a *coming* exercise has no "
        "stub or tests yet, so it earns nothing and is left out of every total until it is built."
    )


def _week_stats(week: Week) -> tuple[int, int, int, int, int]:
    """Entries, ready and coming counts, and ready and coming points of a week."""
    entries = week.deliverables
    ready = sum(not d.planned for d in entries)
    points = _points(entries)
    return len(entries), ready, len(entries) - ready, points.ready, points.coming


# -- links to files -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Links:
    """How a page links to a file of the repository.

    The main link always goes to the file's generated source page (it works on a locally served
    site); ``repo_url`` (empty when ``mkdocs.yml`` sets none) adds a small "on GitHub" link.
    """

    repo_url: str = ""
    pages: frozenset[str] = frozenset()

    def href(self, path: str, page: str) -> str:
        return _relative(source_uri(path), page)

    def github(self, path: str) -> str:
        """A small link to the file in the repository ('' when ``repo_url`` is not set)."""
        if not self.repo_url:
            return ""
        return f"[on GitHub]({blob_url(self.repo_url, path)}){{ .rx-github }}"

    def file(self, path: str, page: str, label: str = "", *, github: bool = True) -> str:
        """``label`` (default: the path as code) linked to the file's page, plus GitHub."""
        label = label or _code(path)
        text = f"[{label}]({self.href(path, page)})" if path in self.pages else label
        if github and self.repo_url:
            text += f" · {self.github(path)}"
        return text


# -- deliverables -----------------------------------------------------------------------------
def _meta(d: Deliverable) -> list[str]:
    if d.planned:
        meta = [COMING_BADGE, f"`{d.id}`", d.kind, f"**{d.points} points** once it is built"]
    else:
        meta = [_badge("ready", "ready"), f"`{d.id}`", d.kind, f"**{d.points} points**"]
    if d.minutes > 0:
        meta.append(f"≈ {_duration(d.minutes)} · {d.tier}")
    elif d.tier != "core":
        meta.append(d.tier)
    if d.services:
        names = ", ".join(SERVICE_NAMES.get(s, s) for s in d.services)
        meta.append(f"needs [{names}](../grading.md#services)")
    if d.difficulty:
        meta.append(f"difficulty: **{d.difficulty}**")
    if d.timebox:
        meta.append(f"time box: **{d.timebox} min**")
    return meta


def _deliverable(d: Deliverable, curriculum: Curriculum, links: Links, level: int) -> list[str]:
    page = _week_uri(d.week)
    source = curriculum.sources[d.source]
    classes = ".rx-deliverable" + (" .rx-deliverable--coming" if d.planned else "")
    badge = f" {COMING_BADGE}" if d.planned else ""
    lines = [
        f"{'#' * level} {_heading(d.title)}{badge} {{ #{anchor(d.id)} {classes} }}",
        "",
        " · ".join(_meta(d)) + ("\n{: .rx-coming }" if d.planned else ""),
        "",
        f'> Answers *"{_escape(_one_line(d.seed))}"* in '
        f"{links.file(source.path, page, _escape(source.title))}.",
        "",
    ]
    if d.summary:
        lines += [_text(d.summary), ""]

    if d.planned:
        lines += [
            f"**Coming.** This exercise is planned: its stub (`{d.module}`), tests and reference "
            "solution are not written yet. Until they are, the grader lists it as *coming* and "
            "leaves its points out of every total.\n{: .rx-coming }",
            "",
        ]
        return lines

    lines += [
        f"- **Your file:** {links.file(d.module, page)}",
        f"- **Tests:** {links.file(d.tests, page)}",
    ]
    if d.solution:
        lines.append(
            f"- **Reference solution:** {links.file(d.solution, page)} "
            "(peek only after you have tried)"
        )
    lines += [
        "",
        "```bash",
        f"rxgrade check {d.id}",
        f"pytest {d.tests}",
        "```",
        "",
    ]
    if d.mentor_rubric:
        lines += render_rubric(d)
    return lines


def render_rubric(d: Deliverable) -> list[str]:
    """The published mentor rubric of ``d`` as a collapsible block with one table.

    One row per criterion: its id (the key a mentor scores in ``scores = { id = n }``), what the
    mentor looks for, and one column per level descriptor (usually 1, 3 and 5).
    """
    levels = sorted({level for c in d.mentor_rubric for level, _ in c.levels})
    top = sum(c.max for c in d.mentor_rubric)
    lines = [
        f'??? note "Mentor rubric: {len(d.mentor_rubric)} criteria, scored 0-{top} by hand"',
        "",
        "    Besides the tests, a mentor scores this deliverable on these criteria (see "
        f"[Grading: for mentors](../grading.md#mentor-rubric)); `rxgrade rubric {d.id}` prints "
        "them.",
        "",
        "    | criterion | what the mentor looks for | "
        + " | ".join(str(level) for level in levels)
        + " |",
        "    |---|---|" + "---|" * len(levels),
    ]
    for c in d.mentor_rubric:
        text = dict(c.levels)
        cells = " | ".join(_cell(text[level]) if level in text else "–" for level in levels)
        lines.append(f"    | **{_cell(c.name)}** `{c.id}` | {_cell(c.looks_for)} | {cells} |")
    return lines + [""]


def _entry_links(entries: Sequence[Deliverable]) -> str:
    """Ready entries as links, then the coming ones, muted, after a *coming* badge."""
    ready = [f"[`{d.name}`](#{anchor(d.id)})" for d in entries if not d.planned]
    coming = [
        f'[`{d.name}`](#{anchor(d.id)}){{ .rx-link--coming title="coming: not built yet" }}'
        for d in entries
        if d.planned
    ]
    parts = [", ".join(ready)] if ready else []
    if coming:
        parts.append(f"{COMING_BADGE} " + ", ".join(coming))
    return " · ".join(parts) or "–"


def _day_budget(day: Day) -> str:
    """The day's estimated core minutes against its hands-on hours; empty when none estimated."""
    if not any(d.minutes > 0 for d in day.deliverables):
        return ""
    core, minutes = day.tier("core"), day.core_minutes
    text = (
        f"Core exercises: ≈ {_duration(minutes)} of the {_hours(day.hands_on_hours)} hands-on "
        "afternoon"
    )
    over = minutes - day.budget_minutes
    if over > 0:
        text += f" (over by {_duration(over)})"
    if unestimated := sum(d.minutes == 0 for d in core):
        text += f"; {_plural(unestimated, 'core exercise')} not estimated yet"
    stretch = day.tier("stretch")
    if stretch:
        text += (
            f"; {_plural(len(stretch), 'stretch exercise')} "
            f"(≈ {_duration(sum(d.minutes for d in stretch))}) for when you have time left"
        )
    return text + "."


def _count_line(label: str, entries: Sequence[Deliverable]) -> str:
    ready = sum(not d.planned for d in entries)
    coming = len(entries) - ready
    parts = [f"{ready} ready"] if ready else []
    if coming:
        parts.append(f"{coming} {COMING_BADGE}")
    return f"**{label}** ({', '.join(parts)})"


# -- pages ------------------------------------------------------------------------------------
def render_week(week: Week, curriculum: Curriculum, links: Links) -> str:
    """Markdown of ``roadmap/weekN.md``: objectives, days, deliverables, success criteria."""
    count, ready, coming, ready_points, coming_points = _week_stats(week)
    badges = _badge(f"{ready} ready", "ready")
    if coming:
        badges += " " + _badge(f"{coming} coming", "coming")
    points = f"**{_number(ready_points)} points** gradable today"
    if coming_points:
        points += f", {_number(coming_points)} more once its coming entries are built"
    lines = [
        f"# Week {week.number}: {_heading(week.title)}",
        "",
        f"{week.hours} hours · {_plural(len(week.days), 'day')} · "
        f"{count} graded {'entry' if count == 1 else 'entries'} · {badges}",
        "",
        f"{points}. ([What coming points mean](index.md#points).)",
        "",
    ]
    if week.summary:
        lines += [_text(week.summary), ""]
    lines += ["## Objectives { #objectives }", ""]
    lines += [f"- {_text(item)}" for item in week.objectives] or ["- (none listed yet)"]
    lines += ["", "## The week at a glance { #at-a-glance }", ""]
    lines += ["| Day | Focus | Hours | Deliverables |", "|---|---|---|---|"]
    for day in week.days:
        lines.append(
            f"| [{day.name.title()}](#{day.name}) | {_cell(day.title)} | {day.hours} | "
            f"{_entry_links(day.deliverables)} |"
        )
    if week.criteria:
        lines.append(
            f"| [Success criteria](#criteria) | end of week | – | {_entry_links(week.criteria)} |"
        )
    lines.append("")

    for day in week.days:
        lines += [
            f"## {day.name.title()}: {_heading(day.title)} {{ #{day.name} }}",
            "",
            f"*{day.hours} hours: morning study {_hours(day.study_hours)}, afternoon hands-on "
            f"{_hours(day.hands_on_hours)}.*",
            "",
        ]
        if budget := _day_budget(day):
            lines += [budget, ""]
        lines += [f'!!! abstract "Morning: study ({_hours(day.study_hours)})"', ""]
        lines += [f"    - {_text(item)}" for item in day.study] or ["    - (to be announced)"]
        lines += ["", f'!!! example "Afternoon: hands-on ({_hours(day.hands_on_hours)})"', ""]
        lines += [f"    - {_text(item)}" for item in day.hands_on] or ["    - (to be announced)"]
        lines.append("")
        if day.deliverables:
            lines += [_count_line("Deliverables", day.deliverables), ""]
            for d in day.deliverables:
                lines += _deliverable(d, curriculum, links, level=3)

    lines += ["## Success criteria { #criteria }", ""]
    if week.criteria:
        lines += [
            "By the end of the week you should be able to show each of these; each one is graded "
            "like a deliverable.",
            "",
            _count_line("Success criteria", week.criteria),
            "",
        ]
        for d in week.criteria:
            lines += _deliverable(d, curriculum, links, level=3)
    else:
        lines += ["The success criteria of this week are not in the manifest yet.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _source_section(text: str, heading: str) -> list[str]:
    """Lines of the source document's section whose heading contains ``heading``."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#") and heading.lower() in line.lower():
            level = len(line) - len(line.lstrip("#"))
            body = []
            for following in lines[i + 1 :]:
                stripped = following.lstrip("#")
                is_heading = following.startswith("#")
                if following.strip() == "---" or (
                    is_heading and len(following) - len(stripped) <= level
                ):
                    break
                body.append(following)
            return body
    return []


def _clean(line: str) -> str:
    return _one_line(line.replace("**", "").lstrip("#-* ").replace("[ ] ", "", 1))


def _source_extras(curriculum: Curriculum) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Course objectives and resources quoted from the six-week source document, if present."""
    key = next((k for k, s in curriculum.sources.items() if "6-week" in s.path), None)
    if key is None:
        return [], []
    try:
        text = curriculum.source_text(key)
    except OSError:
        return [], []
    objectives = [
        _clean(line)
        for line in _source_section(text, "Learning Objectives")
        if line.startswith("- ")
    ]
    resources: list[tuple[str, list[str]]] = []
    for line in _source_section(text, "Resources & Tools"):
        if line.startswith("#"):
            resources.append((_clean(line), []))
        elif line.startswith("- ") and resources:
            resources[-1][1].append(_clean(line))
    return objectives, [(title, items) for title, items in resources if items]


def render_index(curriculum: Curriculum, links: Links) -> str:
    """Markdown of ``roadmap/index.md``: the course overview and the table of weeks."""
    page = f"{ROADMAP_DIR}/index.md"
    objectives, resources = _source_extras(curriculum)
    total_hours = sum(w.hours for w in curriculum.weeks)
    lines = [
        f"# {curriculum.title} roadmap",
        "",
        f"{_plural(len(curriculum.weeks), 'week')}, {total_hours} hours. Each week is five days "
        "of study and hands-on work; every deliverable is a graded exercise with its stub, tests "
        "and reference solution in the repository. This page and the week pages are generated "
        f"from {links.file(MANIFEST, page)}, the single source of truth of the course.",
        "",
    ]
    if objectives:
        lines += ["## Objectives { #objectives }", "", "By the end of the course you will:", ""]
        lines += [f"- {item}" for item in objectives] + [""]

    lines += [
        "## Weeks { #weeks }",
        "",
        "| Week | Hours | Ready | Coming | Points today | Points coming |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    totals = [0, 0, 0, 0, 0]
    for week in curriculum.weeks:
        stats = _week_stats(week)
        totals = [a + b for a, b in zip(totals, stats, strict=True)]
        _, ready, coming, ready_points, coming_points = stats
        link = f"[Week {week.number}: {_cell(week.title)}]({week.slug}.md)"
        if not ready:
            link = f'{link}{{ .rx-link--coming title="coming: not built yet" }} {COMING_BADGE}'
        lines.append(
            f"| {link} | {week.hours} | {ready} | {coming} | "
            f"{_number(ready_points)} | {_number(coming_points)} |"
        )
    _, ready, coming, ready_points, coming_points = totals
    lines += [
        f"| **All weeks** | **{total_hours}** | **{ready}** | **{coming}** | "
        f"**{_number(ready_points)}** | **{_number(coming_points)}** |",
        "",
        "## Points { #points }",
        "",
        points_sentence(curriculum),
        "",
        f"*Ready* entries ({_badge('ready', 'ready')}) can be graded today: their pages link to "
        f"the stub, the tests and the reference solution. *Coming* entries ({COMING_BADGE}, "
        "greyed) are planned: the page shows what they will ask, without file links, and the "
        "grader lists them without points until their files land.",
        "",
        "## How a week is organised { #how-a-week-works }",
        "",
        "- **Five days, about seven hours each.** The **morning** (about 3 hours) is study: "
        "papers, talks and documentation. The **afternoon** (about 4 hours) is hands-on: you "
        "write the day's exercises.",
        "- **Deliverables** are the day's graded exercises. Each one names the file you edit "
        "(a stub under `weeks/weekN/`), its tests, and the line of the source roadmap it "
        "answers. Kinds: *code* (a Python module), *notebook* (a jupytext notebook the grader "
        "executes), *service* (an API the tests call), *config*, *written* (a Markdown "
        "document), and *capstone*.",
        "- **Success criteria** close the week. They are graded like deliverables and check that "
        "the week's pieces work together.",
        "- **Interview drills** carry a difficulty and a time box: set a timer and stop when it "
        "rings, then run the tests.",
        "- Run `rxgrade check weekN` (or `pytest weeks/weekN`) as often as you like; "
        "`rxgrade next` tells you what to do next and `rxgrade hint <id>` gives staged hints. "
        "See [How grading works](../grading.md).",
        "",
        "## Sources { #sources }",
        "",
        "The course answers these documents line by line; each deliverable quotes the line it "
        "answers.",
        "",
    ]
    lines += [
        f"- {links.file(s.path, page, _escape(s.title))} (`{s.path}`)"
        for s in curriculum.sources.values()
    ]
    lines.append("")
    if resources:
        lines += ["## Resources { #resources }", "", "Recommended by the six-week roadmap:", ""]
        for title, items in resources:
            lines += [f"**{title}**", ""] + [f"- {item}" for item in items] + [""]
    return "\n".join(lines).rstrip() + "\n"


# -- source pages -------------------------------------------------------------------------------
class Use(NamedTuple):
    """Why a file has a source page: its role, and the exercise it belongs to (if any)."""

    role: str  # stub | tests | solution | reference | source | manifest
    deliverable: Deliverable | None = None


def source_files(curriculum: Curriculum, root: Path) -> dict[str, list[Use]]:
    """Every repository file that gets a source page, with its uses, in a stable order.

    The stub, tests and reference solution of each ready exercise, the modules of the reference
    system ``rxvision/``, the source documents and the manifest. Files of coming exercises do not
    exist yet and get no page.
    """
    files: dict[str, list[Use]] = {}
    for d in curriculum:
        if d.planned:
            continue
        for role, path in (("stub", d.module), ("tests", d.tests), ("solution", d.solution)):
            if path:
                files.setdefault(path, []).append(Use(role, d))
    for path in sorted((root / "rxvision").rglob("*.py")):
        files.setdefault(path.relative_to(root).as_posix(), []).append(Use("reference"))
    for source in curriculum.sources.values():
        files.setdefault(source.path, []).append(Use("source"))
    files.setdefault(MANIFEST, []).append(Use("manifest"))
    return files


class _Api(NamedTuple):
    name: str
    signature: str
    doc: str
    line: int


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    """The signature of a function, or a class and its constructor, as Markdown code spans."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
        prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
        return _code(f"{prefix} {node.name}({ast.unparse(node.args)}){returns}")
    bases = ", ".join(ast.unparse(b) for b in node.bases)
    text = _code(f"class {node.name}" + (f"({bases})" if bases else ""))
    init = next(
        (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
    )
    if init is not None:
        args = ast.unparse(init.args)
        args = args[len("self") :].lstrip(", ") if args.startswith("self") else args
        text += f" · {_code(f'{node.name}({args})')}"
    return text


def _public_api(tree: ast.Module) -> tuple[list[_Api], list[str]]:
    """Public functions and classes of a module (its ``__all__``, else names without ``_``),
    and the ``rxvision`` modules it re-exports names from."""
    exported: set[str] | None = None
    reexports: list[str] = []
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            exported = {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rxvision"):
            reexports.append(node.module or "")
    api = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name in exported if exported is not None else not node.name.startswith("_"):
                doc = (ast.get_docstring(node) or "").strip().split("\n\n")[0]
                doc = _RST_ROLE.sub("`", _one_line(doc))  # :func:`f` -> `f`
                api.append(_Api(node.name, _signature(node), doc, node.lineno))
        elif isinstance(node, ast.Assign | ast.AnnAssign) and exported:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in exported:
                    api.append(_Api(target.id, _constant(target.id, node), "", node.lineno))
    return api, reexports


def _constant(name: str, node: ast.Assign | ast.AnnAssign) -> str:
    """``NAME: annotation = value`` of an exported constant, the value cut short when long."""
    annotation = f": {ast.unparse(node.annotation)}" if isinstance(node, ast.AnnAssign) else ""
    value = ast.unparse(node.value) if node.value is not None else ""
    if len(value) > 60:
        value = "…"
    return _code(f"{name}{annotation}" + (f" = {value}" if value else ""))


def _module_path(module: str, root: Path) -> str:
    """The file of a dotted ``rxvision`` module, relative to the root ('' when not found)."""
    base = module.replace(".", "/")
    for candidate in (f"{base}.py", f"{base}/__init__.py"):
        if (root / candidate).is_file():
            return candidate
    return ""


def _use_line(use: Use, path: str, page: str) -> str:
    d = use.deliverable
    if d is None:
        return {
            "reference": f"**A module of the reference system**, "
            f"`{path.removesuffix('.py').removesuffix('/__init__').replace('/', '.')}`: see "
            f"[The reference system]({_relative('reference.md', page)}).",
            "source": "**A source document** of the course, kept verbatim: the exercises answer "
            f"it line by line (see the [roadmap]({_relative(f'{ROADMAP_DIR}/index.md', page)})).",
            "manifest": "**The course manifest**: the order and status of every exercise. The "
            f"[roadmap]({_relative(f'{ROADMAP_DIR}/index.md', page)}) pages are generated from "
            "it.",
        }[use.role]
    entry = f"[{_text(d.title)}]({_relative(_week_uri(d.week), page)}#{anchor(d.id)}) (`{d.id}`)"
    return {
        "stub": f"**Your file** for {entry}: edit it in your checkout, then grade it with "
        f"`rxgrade check {d.id}`.",
        "tests": f"**The official tests** of {entry}: read them to see what is expected, run "
        f"them with `pytest {d.tests}`. Do not edit them: your mentor grades with the official "
        "copy.",
        "solution": f"**The reference solution** of {entry}: peek only after you have tried.",
    }[use.role]


def render_source(path: str, uses: Sequence[Use], text: str, root: Path, links: Links) -> str:
    """Markdown of the page ``source/<path>.md``: where the file is, its API, its text.

    Only stubs are in the search index: searching ``round_filters`` lands on the file the learner
    edits, not on the tests or the answer.
    """
    page = source_uri(path)
    searchable = any(u.role == "stub" for u in uses)
    lines = ["---", f"title: {json.dumps(path)}"]  # JSON strings are YAML strings
    if not searchable:
        lines += ["search:", "  exclude: true"]
    lines += ["---", "", f"# {_code(path)}", ""]
    lines += [_use_line(use, path, page) for use in uses]
    github = f" Also {links.github(path)}." if links.repo_url else ""
    lines += [
        "",
        f"In your checkout: `{path}`. This page shows the file as it was when the site was "
        f"built.{github}",
        "",
    ]
    related = []
    for use in uses:
        if (d := use.deliverable) is not None:
            for role, other in (("stub", d.module), ("tests", d.tests), ("solution", d.solution)):
                if other and other != path:
                    label = {"stub": "Your file", "tests": "Tests", "solution": "Solution"}[role]
                    related.append(f"{label}: {links.file(other, page, github=False)}")
    if related:
        lines += [" · ".join(dict.fromkeys(related)), ""]

    suffix = Path(path).suffix
    api: list[_Api] = []
    if suffix == ".py" and not any(u.role == "tests" for u in uses):
        is_notebook = any(u.deliverable and u.deliverable.kind == "notebook" for u in uses)
        try:
            tree = ast.parse(text)
        except SyntaxError:
            tree = ast.Module(body=[], type_ignores=[])
        api, reexports = _public_api(tree)
        if is_notebook:
            api = []
        targets = [p for p in dict.fromkeys(_module_path(m, root) for m in reexports) if p]
        if targets and not api:
            files = ", ".join(links.file(p, page, github=False) for p in targets)
            lines += [f"It re-exports the reference system's code: read it in {files}.", ""]
    if api:
        lines += ["## Public API { #public-api }", ""]
        for item in {item.name: item for item in api}.values():
            lines += [
                f"### `{item.name}` {{ #{item.name} }}",
                "",
                # a raw link: MkDocs cannot see the line anchors Pygments writes
                f'{item.signature} · <a href="#__codelineno-0-{item.line}">line {item.line}</a>',
                "",
            ]
            if item.doc:
                lines += [_text(item.doc), ""]
    # The file itself is highlighted by :func:`highlight_files` (cached, in parallel) and put
    # in place of the marker in the finished page (on_post_page): neither Markdown nor the
    # search plugin has to scan it.
    lines += ["## The file { #source-file }", "", FILE_MARKER, ""]
    return "\n".join(lines)


# -- highlighting ---------------------------------------------------------------------------------
def _cache_dir() -> Path:
    """Where highlighted files are kept between builds (outside the checkout)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rxvision25" / "docs-source-pages"


def _cache_key(text: str, language: str) -> str:
    versions = f"{CACHE_VERSION}\0{pygments.__version__}\0{pymdownx.__version__}\0{language}\0"
    return hashlib.sha256((versions + text).encode("utf-8")).hexdigest()


def highlight_files(files: dict[str, tuple[str, str]]) -> dict[str, str]:
    """HTML of each ``{key: (text, language)}``, as pymdownx.highlight renders a fenced block
    with line numbers and line anchors (``#__codelineno-0-N``).

    Highlighting every exercise file is most of the build's time, so results are cached on
    disk by content (``$XDG_CACHE_HOME/rxvision25``) and misses are highlighted on every core.
    """
    cache = _cache_dir()
    keys = {name: _cache_key(text, language) for name, (text, language) in files.items()}
    html: dict[str, str] = {}
    for name, key in keys.items():
        with contextlib.suppress(OSError):
            html[name] = (cache / key).read_text(encoding="utf-8")
    misses = [name for name in files if name not in html]
    if not misses:
        return html
    highlighter = Highlight(None, linenums=True, anchor_linenums=True)
    texts = [files[name][0] for name in misses]
    languages = [files[name][1] for name in misses]
    workers = min(os.cpu_count() or 1, 4)
    parallel = workers > 1 and len(misses) > 16 and threading.active_count() == 1
    if parallel and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            done = list(pool.map(highlighter.highlight, texts, languages, chunksize=8))
    else:
        done = [highlighter.highlight(t, lang) for t, lang in zip(texts, languages, strict=True)]
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = None
    for name, result in zip(misses, done, strict=True):
        html[name] = result
        if cache is not None:
            part = cache / f"{keys[name]}.{os.getpid()}.tmp"
            try:
                part.write_text(result, encoding="utf-8")
                part.replace(cache / keys[name])
            except OSError:
                part.unlink(missing_ok=True)
    return html


_HIGHLIGHTED: dict[str, str] = {}  # src_uri of a source page -> its file as HTML (this build)


# -- MkDocs events ----------------------------------------------------------------------------
def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def _load(config: MkDocsConfig) -> Curriculum:
    root = _root(config)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from grader import manifest

    try:
        return manifest.load(root)
    except (manifest.ManifestError, OSError, ValueError, KeyError) as exc:
        raise PluginError(f"roadmap hook: cannot read curriculum.toml: {exc}") from exc


def _repo_url(config: MkDocsConfig) -> str:
    """``repo_url`` of ``mkdocs.yml`` without a trailing slash, or '' when it is not set."""
    return (config.repo_url or "").rstrip("/")


def _links(config: MkDocsConfig, pages: Iterable[str] = ()) -> Links:
    return Links(_repo_url(config), frozenset(pages))


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """List every week of the manifest under the "Roadmap" entry of the navigation."""
    curriculum = _load(config)
    pages: list = [f"{ROADMAP_DIR}/index.md"]
    pages += [
        {f"Week {w.number}: {w.title}": f"{ROADMAP_DIR}/{w.slug}.md"} for w in curriculum.weeks
    ]
    for item in config.nav or []:
        if isinstance(item, dict) and NAV_TITLE in item:
            item[NAV_TITLE] = pages
            break
    _add_folder_to_nav(config, "benchmarks", "Benchmarks")
    return config


def _add_folder_to_nav(config: MkDocsConfig, folder: str, title: str) -> None:
    """List the Markdown pages of ``docs/<folder>/`` under ``title`` unless the nav names it.

    Lets another part of the project publish pages (e.g. benchmark results) without editing
    ``mkdocs.yml``; ``index.md`` comes first and becomes the section's own page.
    """
    if config.nav is None:
        return
    base = Path(config.docs_dir) / folder
    pages = sorted(p.relative_to(config.docs_dir).as_posix() for p in base.rglob("*.md"))
    if not pages or any(isinstance(item, dict) and title in item for item in config.nav):
        return
    pages.sort(key=lambda uri: uri != f"{folder}/index.md")
    config.nav.append({title: pages})


def _add(files: Files, config: MkDocsConfig, uri: str, content: str, **kwargs: object) -> None:
    if (existing := files.get_file_from_path(uri)) is not None:
        log.warning(f"docs/{uri} is generated at build time; delete the checked-in copy")
        files.remove(existing)
    files.append(File.generated(config, uri, content=content, **kwargs))


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated roadmap and source pages; a checked-in copy would go stale."""
    curriculum = _load(config)
    root = _root(config)
    sources = source_files(curriculum, root)
    texts: dict[str, str] = {}
    for path in sources:
        try:
            texts[path] = (root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            roles = ", ".join(
                u.role + (f" of {u.deliverable.id}" if u.deliverable else "") for u in sources[path]
            )
            log.warning(f"roadmap hook: cannot show {path} ({roles}): {exc}")
    links = _links(config, texts)
    languages = {path: LANGUAGES.get(Path(path).suffix, "text") for path in texts}
    highlighted = highlight_files({p: (t, languages[p]) for p, t in texts.items()})
    _HIGHLIGHTED.clear()
    _HIGHLIGHTED.update({source_uri(path): html for path, html in highlighted.items()})
    _add(files, config, f"{ROADMAP_DIR}/index.md", render_index(curriculum, links))
    for week in curriculum.weeks:
        _add(files, config, _week_uri(week.number), render_week(week, curriculum, links))
    for path, text in texts.items():
        content = render_source(path, sources[path], text, root, links)
        _add(files, config, source_uri(path), content, inclusion=InclusionLevel.NOT_IN_NAV)
    return files


def render_modules(root: Path, links: Links, page: str = "reference.md") -> str:
    """A table of the modules under ``rxvision/`` with the first line of each docstring."""
    rows = []
    for path in sorted((root / "rxvision").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        try:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        except (OSError, SyntaxError, ValueError):
            doc = ""
        if path.name == "__init__.py" and not doc:
            continue
        dotted = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        first = _one_line(doc.strip().split("\n\n")[0]).replace("|", r"\|") if doc else "–"
        rows.append(f"| {links.file(rel, page, f'`{dotted}`')} | {first} |")
    if not rows:
        return "No modules yet.\n"
    return "\n".join(["| module | what it is |", "|---|---|", *rows]) + "\n"


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Fill the ``<!-- rxvision-modules -->`` and ``<!-- rxvision-points -->`` markers."""
    if MODULES_MARKER in markdown:
        root = _root(config)
        prefix = f"{SOURCE_DIR}/"
        pages = {
            f.src_uri.removeprefix(prefix).removesuffix(".md")
            for f in files
            if f.src_uri.startswith(prefix)
        }
        links = _links(config, pages)
        markdown = markdown.replace(MODULES_MARKER, render_modules(root, links, page.file.src_uri))
    if POINTS_MARKER in markdown:
        markdown = markdown.replace(POINTS_MARKER, points_sentence(_load(config)))
    return markdown


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Put the highlighted file in place of the marker of its source page.

    After the search plugin has read the page: the index gets the page's path, role and public
    API (so ``round_filters`` is found), not every token of the code.
    """
    if page.file.generated_by is not None and FILE_MARKER in output:
        output = output.replace(FILE_MARKER, _HIGHLIGHTED.get(page.file.src_uri, ""), 1)
    return output


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: object) -> dict:
    """The "edit" button of a roadmap page opens ``curriculum.toml``, its real source; a source
    page has none (a learner edits the file in the checkout; the page links GitHub itself)."""
    if page.file.generated_by is None:
        return context
    repo_url = _repo_url(config)
    if page.file.src_uri.startswith(f"{ROADMAP_DIR}/"):
        page.edit_url = f"{repo_url}/edit/main/{MANIFEST}" if repo_url else None
    elif page.file.src_uri.startswith(f"{SOURCE_DIR}/"):
        page.edit_url = None
    return context
