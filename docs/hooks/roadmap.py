"""MkDocs hook: generate the roadmap pages from ``curriculum.toml`` at build time.

The manifest is the single source of truth, so the roadmap is never checked in: ``on_files`` adds
``roadmap/index.md`` (the course overview) and ``roadmap/weekN.md`` (one page per week) as
generated files, and ``on_config`` lists those weeks in the navigation under "Roadmap".

A deliverable that publishes a mentor rubric (``[[mentor_rubric]]`` in its entry file) shows it
under its files, in a collapsible "Mentor rubric" block (:func:`render_rubric`).

Every deliverable's heading carries a stable anchor, :func:`anchor` of its id
(``week1.efficientnet`` -> ``#week1-efficientnet``), so the grader and other pages can link to
``roadmap/week1/#week1-efficientnet``.

Registered in ``mkdocs.yml`` with ``hooks: [docs/hooks/roadmap.py]``.
"""

from __future__ import annotations

import ast
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

    from grader.manifest import Curriculum, Deliverable, Week

__all__ = ["anchor", "blob_url", "render_index", "render_modules", "render_rubric", "render_week"]

log = logging.getLogger("mkdocs.hooks.roadmap")

ROADMAP_DIR = "roadmap"
NAV_TITLE = "Roadmap"
MODULES_MARKER = "<!-- rxvision-modules -->"
SERVICE_NAMES = {
    "redis": "Redis",
    "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL",
    "kafka": "Kafka",
    "mlflow": "MLflow",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
_CODE_SPAN = re.compile(r"(`+[^`]*`+)")


# -- small helpers ----------------------------------------------------------------------------
def anchor(deliverable_id: str) -> str:
    """The HTML id of a deliverable on its week page: the id with ``.`` replaced by ``-``."""
    return deliverable_id.replace(".", "-")


def blob_url(repo_url: str, path: str) -> str:
    """Link to a file of the repository on the default branch."""
    return f"{repo_url.rstrip('/')}/blob/main/{path}"


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


def _badge(label: str, variant: str) -> str:
    return f'<span class="rx-badge rx-badge--{variant}">{label}</span>'


def _hours(value: int) -> str:
    return f"{value} h"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _week_stats(week: Week) -> tuple[int, int, int, int]:
    """Deliverables, points, ready and coming counts of a week."""
    entries = week.deliverables
    ready = sum(not d.planned for d in entries)
    return len(entries), sum(d.points for d in entries), ready, len(entries) - ready


# -- deliverables -----------------------------------------------------------------------------
def _deliverable(d: Deliverable, curriculum: Curriculum, repo_url: str, level: int) -> list[str]:
    status = _badge("coming", "coming") if d.planned else _badge("ready", "ready")
    meta = [status, f"`{d.id}`", d.kind, f"**{d.points} points**"]
    if d.services:
        names = ", ".join(SERVICE_NAMES.get(s, s) for s in d.services)
        meta.append(f"needs [{names}](../grading.md#services)")
    if d.difficulty:
        meta.append(f"difficulty: **{d.difficulty}**")
    if d.timebox:
        meta.append(f"time box: **{d.timebox} min**")

    source = curriculum.sources[d.source]
    lines = [
        f"{'#' * level} {_heading(d.title)} {{ #{anchor(d.id)} .rx-deliverable }}",
        "",
        " · ".join(meta),
        "",
        f'> Answers *"{_escape(_one_line(d.seed))}"* in '
        f"[{_escape(source.title)}]({blob_url(repo_url, source.path)}).",
        "",
    ]
    if d.summary:
        lines += [_text(d.summary), ""]

    if d.planned:
        lines += [
            f"**Coming.** This exercise is planned: its stub (`{d.module}`), tests and reference "
            "solution are not written yet. Until they are, the grader lists it as *coming* and "
            "leaves its points out of every total.",
            "",
        ]
        return lines

    lines += [
        f"- **Your file:** [`{d.module}`]({blob_url(repo_url, d.module)})",
        f"- **Tests:** [`{d.tests}`]({blob_url(repo_url, d.tests)})",
    ]
    if d.solution:
        lines.append(
            f"- **Reference solution:** [`{d.solution}`]({blob_url(repo_url, d.solution)}) "
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


# -- pages ------------------------------------------------------------------------------------
def render_week(week: Week, curriculum: Curriculum, repo_url: str) -> str:
    """Markdown of ``roadmap/weekN.md``: objectives, days, deliverables, success criteria."""
    count, points, ready, coming = _week_stats(week)
    badges = _badge(f"{ready} ready", "ready")
    if coming:
        badges += " " + _badge(f"{coming} coming", "coming")
    lines = [
        f"# Week {week.number}: {_heading(week.title)}",
        "",
        f"{week.hours} hours · {_plural(len(week.days), 'day')} · "
        f"{count} graded {'entry' if count == 1 else 'entries'} worth {points} points · {badges}",
        "",
    ]
    if week.summary:
        lines += [_text(week.summary), ""]
    lines += ["## Objectives { #objectives }", ""]
    lines += [f"- {_text(item)}" for item in week.objectives] or ["- (none listed yet)"]
    lines += ["", "## The week at a glance { #at-a-glance }", ""]
    lines += ["| Day | Focus | Hours | Deliverables |", "|---|---|---|---|"]
    for day in week.days:
        links = ", ".join(f"[`{d.name}`](#{anchor(d.id)})" for d in day.deliverables) or "–"
        lines.append(
            f"| [{day.name.title()}](#{day.name}) | {_cell(day.title)} | {day.hours} | {links} |"
        )
    if week.criteria:
        links = ", ".join(f"[`{d.name}`](#{anchor(d.id)})" for d in week.criteria)
        lines.append(f"| [Success criteria](#criteria) | end of week | – | {links} |")
    lines.append("")

    for day in week.days:
        lines += [
            f"## {day.name.title()}: {_heading(day.title)} {{ #{day.name} }}",
            "",
            f"*{day.hours} hours: morning study {_hours(day.study_hours)}, afternoon hands-on "
            f"{_hours(day.hands_on_hours)}.*",
            "",
            f'!!! abstract "Morning: study ({_hours(day.study_hours)})"',
            "",
        ]
        lines += [f"    - {_text(item)}" for item in day.study] or ["    - (to be announced)"]
        lines += ["", f'!!! example "Afternoon: hands-on ({_hours(day.hands_on_hours)})"', ""]
        lines += [f"    - {_text(item)}" for item in day.hands_on] or ["    - (to be announced)"]
        lines.append("")
        if day.deliverables:
            lines += [f"**Deliverables** ({len(day.deliverables)})", ""]
            for d in day.deliverables:
                lines += _deliverable(d, curriculum, repo_url, level=3)

    lines += ["## Success criteria { #criteria }", ""]
    if week.criteria:
        lines += [
            "By the end of the week you should be able to show each of these; each one is graded "
            "like a deliverable.",
            "",
        ]
        for d in week.criteria:
            lines += _deliverable(d, curriculum, repo_url, level=3)
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


def render_index(curriculum: Curriculum, repo_url: str) -> str:
    """Markdown of ``roadmap/index.md``: the course overview and the table of weeks."""
    objectives, resources = _source_extras(curriculum)
    total_hours = sum(w.hours for w in curriculum.weeks)
    lines = [
        f"# {curriculum.title} roadmap",
        "",
        f"{_plural(len(curriculum.weeks), 'week')}, {total_hours} hours. Each week is five days "
        "of study and hands-on work; every deliverable is a graded exercise with its stub, tests "
        "and reference solution in the repository. This page and the week pages are generated "
        f"from [`curriculum.toml`]({blob_url(repo_url, 'curriculum.toml')}), the single source "
        "of truth of the course.",
        "",
    ]
    if objectives:
        lines += ["## Objectives { #objectives }", "", "By the end of the course you will:", ""]
        lines += [f"- {item}" for item in objectives] + [""]

    lines += [
        "## Weeks { #weeks }",
        "",
        "| Week | Hours | Entries | Points | Ready | Coming |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    totals = [0, 0, 0, 0]
    for week in curriculum.weeks:
        stats = _week_stats(week)
        totals = [a + b for a, b in zip(totals, stats, strict=True)]
        count, points, ready, coming = stats
        link = f"[Week {week.number}: {_cell(week.title)}]({week.slug}.md)"
        lines.append(f"| {link} | {week.hours} | {count} | {points} | {ready} | {coming} |")
    count, points, ready, coming = totals
    lines += [
        f"| **All weeks** | **{total_hours}** | **{count}** | **{points}** | **{ready}** | "
        f"**{coming}** |",
        "",
        f"*Ready* entries can be graded today. *Coming* entries "
        f"({_badge('coming', 'coming')}) are planned: the page shows what they will ask, and "
        "the grader lists them without points until their files land.",
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
        f"- [{_escape(s.title)}]({blob_url(repo_url, s.path)}) (`{s.path}`)"
        for s in curriculum.sources.values()
    ]
    lines.append("")
    if resources:
        lines += ["## Resources { #resources }", "", "Recommended by the six-week roadmap:", ""]
        for title, items in resources:
            lines += [f"**{title}**", ""] + [f"- {item}" for item in items] + [""]
    return "\n".join(lines).rstrip() + "\n"


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
    if not config.repo_url:
        raise PluginError("roadmap hook: set repo_url in mkdocs.yml (file links are built on it)")
    return config.repo_url.rstrip("/")


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


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated roadmap pages; a checked-in copy would go stale, so it is replaced."""
    curriculum = _load(config)
    repo_url = _repo_url(config)
    pages = {f"{ROADMAP_DIR}/index.md": render_index(curriculum, repo_url)}
    for week in curriculum.weeks:
        pages[f"{ROADMAP_DIR}/{week.slug}.md"] = render_week(week, curriculum, repo_url)
    for uri, content in pages.items():
        if (existing := files.get_file_from_path(uri)) is not None:
            log.warning(f"docs/{uri} is generated from curriculum.toml; delete the checked-in copy")
            files.remove(existing)
        files.append(File.generated(config, uri, content=content))
    return files


def render_modules(root: Path, repo_url: str) -> str:
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
        rows.append(f"| [`{dotted}`]({blob_url(repo_url, rel)}) | {first} |")
    if not rows:
        return "No modules yet.\n"
    return "\n".join(["| module | what it is |", "|---|---|", *rows]) + "\n"


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Fill the ``<!-- rxvision-modules -->`` marker of a hand-written page."""
    if MODULES_MARKER in markdown:
        table = render_modules(_root(config), _repo_url(config))
        markdown = markdown.replace(MODULES_MARKER, table)
    return markdown


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: object) -> dict:
    """The "edit" button of a generated page opens ``curriculum.toml``, its real source."""
    if page.file.generated_by is not None and page.file.src_uri.startswith(f"{ROADMAP_DIR}/"):
        page.edit_url = f"{_repo_url(config)}/edit/main/curriculum.toml"
    return context
