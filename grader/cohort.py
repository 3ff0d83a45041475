"""The cohort view for mentors: every learner's graded report in one page, a gradebook, a history.

``rxgrade grade`` writes one JSON report per learner (:mod:`grader.mentor`). This module reads
the folders those reports are in (several folders are shards of one cohort and merge) and
writes, into one output folder:

- ``cohort.html``: one self-contained page (inline CSS and SVG, no script, nothing fetched): a
  summary per learner (total, per-week progress, integrity flags, mentor rubric scores, whether
  the report is signed), a learners x exercises matrix grouped by week, points over time, and
  the details behind every integrity flag. Every text that comes from a learner (names, file
  paths, messages) is escaped.
- ``cohort.md``: the same summary in Markdown.
- ``gradebook.csv``: a gradebook in the columns Canvas imports (``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, one column per ready exercise titled
  ``<title> (<id>)``, ``Total``), with the ``Points Possible`` row first.

:func:`record` appends a graded run to a SQLite history (one row per run and exercise, in the
``graded`` view) and :func:`history` reads the runs back, so the page can chart each learner's
points over time.
"""

from __future__ import annotations

import csv
import html
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "FILES",
    "history",
    "load_reports",
    "record",
    "write_cohort",
]

#: The files :func:`write_cohort` writes, by kind.
FILES = {"html": "cohort.html", "markdown": "cohort.md", "csv": "gradebook.csv"}
#: The gradebook's first columns, as Canvas exports and imports them.
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
STATE_ORDER = ("passing", "failing", "not started", "skipped", "not run")
#: Line colours of the points-over-time chart, one per learner in turn.
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    learner TEXT NOT NULL,
    created TEXT NOT NULL,
    learner_commit TEXT NOT NULL DEFAULT '',
    signature TEXT NOT NULL DEFAULT '',
    earned REAL NOT NULL,
    points REAL NOT NULL,
    recorded TEXT NOT NULL,
    UNIQUE (learner, created, signature, learner_commit)
);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    deliverable TEXT NOT NULL,
    state TEXT NOT NULL,
    points REAL NOT NULL,
    earned REAL NOT NULL,
    PRIMARY KEY (run_id, deliverable)
);
CREATE VIEW IF NOT EXISTS graded AS
    SELECT runs.id AS run_id, runs.learner, results.deliverable, results.state,
           results.points, results.earned, runs.learner_commit, runs.created,
           runs.earned AS run_earned, runs.points AS run_points
    FROM results JOIN runs ON runs.id = results.run_id;
"""


# -- the history database -------------------------------------------------------------------------
@contextmanager
def _connect(db: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(db)) as conn:
        conn.executescript(_SCHEMA)
        yield conn


def _learner(report: dict) -> str:
    learner = report.get("learner")
    name = learner.get("name") if isinstance(learner, dict) else None
    if not name:
        raise ValueError(
            "this is not a learner report: it has no learner name (report['learner']['name']); "
            "reports written by `rxgrade grade` have one"
        )
    return str(name)


def _signature_of(report: dict) -> str:
    """The report's HMAC when it is signed, else ''."""
    signature = report.get("signature")
    if isinstance(signature, dict):
        return str(signature.get("report") or "")
    return str(signature or "")


def _commit_of(report: dict) -> str:
    learner = report.get("learner")
    return str(learner.get("commit") or "") if isinstance(learner, dict) else ""


def record(db: Path, report: dict) -> int:
    """Append one graded run (a learner report) to the SQLite history at ``db``; return its id.

    One row per run in ``runs`` and one per exercise in ``results`` (the ``graded`` view joins
    them). Recording the same report again (same learner, ``created`` time, signature and
    commit) returns the id it already has and adds nothing.
    """
    name = _learner(report)
    if "created" not in report or not isinstance(report.get("deliverables"), list):
        raise ValueError(
            f"the report of {name} has no 'created' time or no 'deliverables' list: is it a "
            "report written by `rxgrade grade`?"
        )
    key = (name, str(report["created"]), _signature_of(report), _commit_of(report))
    db.parent.mkdir(parents=True, exist_ok=True)
    with _connect(db) as conn, conn:
        found = conn.execute(
            "SELECT id FROM runs WHERE learner = ? AND created = ? AND signature = ? "
            "AND learner_commit = ?",
            key,
        ).fetchone()
        if found:
            return int(found[0])
        cursor = conn.execute(
            "INSERT INTO runs (learner, created, signature, learner_commit, earned, points, "
            "recorded) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                *key,
                float(report.get("earned", 0)),
                float(report.get("points", 0)),
                datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )
        run_id = int(cursor.lastrowid or 0)
        conn.executemany(
            "INSERT OR REPLACE INTO results (run_id, deliverable, state, points, earned) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (run_id, d["id"], d.get("state", ""), d.get("points", 0), d.get("earned", 0))
                for d in report["deliverables"]
            ],
        )
    return run_id


def history(db: Path) -> list[dict]:
    """Every recorded run, by learner then time: ``learner``, ``created``, ``earned``,
    ``points``, ``commit`` and ``run`` (its id). An absent database has no runs."""
    if not db.is_file():
        return []
    with _connect(db) as conn:
        rows = conn.execute(
            "SELECT id, learner, created, earned, points, learner_commit FROM runs "
            "ORDER BY learner, created, id"
        ).fetchall()
    return [
        {
            "run": run,
            "learner": learner,
            "created": created,
            "earned": earned,
            "points": points,
            "commit": commit,
        }
        for run, learner, created, earned, points, commit in rows
    ]


# -- reading the reports --------------------------------------------------------------------------
@dataclass
class _Loaded:
    path: Path
    report: dict

    @property
    def name(self) -> str:
        return self.report["learner"]["name"]


def _is_report(data: object) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("learner"), dict)
        and bool(data["learner"].get("name"))
        and isinstance(data.get("deliverables"), list)
    )


def _when(report: dict) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(report.get("created", "")))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _read_all(dirs: Iterable[Path], warnings: list[str]) -> list[_Loaded]:
    """Every learner report in ``dirs``, in folder then file order."""
    found: list[_Loaded] = []
    for folder in dirs:
        if not folder.is_dir():
            warnings.append(f"{folder}: no such folder, so no reports were read from it")
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                warnings.append(f"{path}: not readable as JSON ({exc}); skipped")
                continue
            if _is_report(data):
                found.append(_Loaded(path, data))
            else:
                warnings.append(
                    f"{path}: not a learner report (it needs 'learner' and 'deliverables', as "
                    "`rxgrade grade` writes them); skipped"
                )
    return found


def _merge(found: list[_Loaded], warnings: list[str]) -> list[_Loaded]:
    """One report per learner: the latest ``created`` (the later folder on a tie)."""
    kept: dict[str, _Loaded] = {}
    for item in found:
        old = kept.get(item.name)
        if old is None:
            kept[item.name] = item
            continue
        old_when, new_when = _when(old.report), _when(item.report)
        newer = old_when is None or (new_when is not None and new_when >= old_when)
        winner, loser = (item, old) if newer else (old, item)
        kept[item.name] = winner
        warnings.append(
            f"{item.name} has more than one report: kept {winner.path} (graded "
            f"{winner.report.get('created')}), left out {loser.path} (graded "
            f"{loser.report.get('created')})"
        )
    return sorted(kept.values(), key=lambda x: x.name)


def load_reports(dirs: list[Path], warnings: list[str] | None = None) -> list[dict]:
    """The learner reports (``*.json`` with ``learner`` and ``deliverables``) in ``dirs``,
    sorted by learner name. Several folders merge as shards of one cohort: when a learner has
    reports in more than one, the latest ``created`` is kept. What was skipped or left out is
    appended, in plain words, to ``warnings`` when it is given."""
    notes: list[str] = [] if warnings is None else warnings
    return [item.report for item in _merge(_read_all(dirs, notes), notes)]


# -- what the views show --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Column:
    id: str
    title: str
    week: int
    points: float

    @property
    def heading(self) -> str:
        return f"{self.title} ({self.id})"


def _columns(reports: list[dict]) -> list[_Column]:
    """The ready exercises of all reports, by week then in the order the reports list them."""
    seen: dict[str, _Column] = {}
    for report in reports:
        for d in report["deliverables"]:
            if d.get("planned") or d.get("id") in seen:
                continue
            seen[d["id"]] = _Column(
                d["id"], str(d.get("title", d["id"])), int(d.get("week", 0)), d.get("points", 0)
            )
    order = {cid: i for i, cid in enumerate(seen)}
    return sorted(seen.values(), key=lambda c: (c.week, order[c.id]))


def _weeks(columns: list[_Column]) -> list[int]:
    return sorted({c.week for c in columns})


def _results(report: dict) -> dict[str, dict]:
    return {d["id"]: d for d in report["deliverables"] if not d.get("planned")}


def _num(value: float) -> str:
    """A number as a mentor reads it: 10, 6.67."""
    return f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")


def _week_total(report: dict, columns: list[_Column], week: int) -> tuple[float, float] | None:
    """(earned, possible) of one week's exercises, or None when none of them was graded."""
    mine = _results(report)
    graded = [mine[c.id] for c in columns if c.week == week and c.id in mine]
    if not graded:
        return None
    return sum(d.get("earned", 0) for d in graded), sum(d.get("points", 0) for d in graded)


def _total(report: dict, columns: list[_Column]) -> float:
    mine = _results(report)
    return round(sum(mine[c.id].get("earned", 0) for c in columns if c.id in mine), 2)


#: What grading did about an official file the learner changed, added or deleted.
_IGNORED = {
    "modified": "ignored: the mentor's copy ran",
    "deleted": "the mentor's copy ran",
    "added": "never ran",
}


def _flags(report: dict) -> list[str]:
    """Integrity flags in plain words: changed official files, reaches into the grader,
    missing exercise files and exercises that ended early."""
    found = report.get("integrity") or {}
    changes = found.get("changes") or [
        {"path": p, "change": "changed"} for p in found.get("modified") or []
    ]
    flags = [
        f"official file {c['path']} was {c['change']} ({_IGNORED.get(c['change'], 'ignored')})"
        for c in changes
    ]
    flags += [f"reaches into the grader: {line}" for line in found.get("reaches_into_grader") or []]
    flags += [f"exercise file {p} is missing" for p in found.get("missing_exercise_files") or []]
    problems = report.get("problems") or {}
    flags += [f"{did} ended early: {what}" for did, what in sorted(problems.items())]
    return flags


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _flag_summary(report: dict) -> str:
    """The integrity flags counted in a few words, or '' when there is none."""
    found = report.get("integrity") or {}
    parts = [
        _count(len(found[key]), one, many)
        for key, one, many in (
            ("modified", "official file changed", "official files changed"),
            ("reaches_into_grader", "reach into the grader", "reaches into the grader"),
            ("missing_exercise_files", "exercise file missing", "exercise files missing"),
        )
        if found.get(key)
    ]
    if report.get("problems"):
        parts.append(
            _count(len(report["problems"]), "exercise ended early", "exercises ended early")
        )
    return ", ".join(parts)


def _signed(report: dict) -> bool:
    signature = report.get("signature")
    return isinstance(signature, dict) and signature.get("algorithm") == "HMAC-SHA256"


def _rubric(report: dict) -> str:
    mentor = report.get("mentor")
    if not isinstance(mentor, dict):
        return ""
    total = mentor.get("total", sum(s.get("score", 0) for s in mentor.get("scores", [])))
    maximum = mentor.get("maximum", sum(s.get("max", 0) for s in mentor.get("scores", [])))
    who = ", ".join(str(x) for x in (mentor.get("mentor"), mentor.get("date")) if x)
    return f"{_num(total)} / {_num(maximum)}" + (f" ({who})" if who else "")


def _rubric_lines(report: dict) -> list[str]:
    mentor = report.get("mentor")
    if not isinstance(mentor, dict):
        return []
    lines = []
    for s in mentor.get("scores", []):
        comment = f": {s['comment']}" if s.get("comment") else ""
        lines.append(f"{s.get('id')}: {_num(s.get('score', 0))} / {_num(s.get('max', 0))}{comment}")
    return lines


def _extra_counts(extra: dict) -> tuple[int, int]:
    """(passed, ran) of the mentor's extra tests of one exercise, whichever form they take."""
    tests = extra.get("tests")
    if isinstance(tests, list) and tests:
        return sum(t.get("outcome") == "passed" for t in tests), len(tests)
    counts = extra.get("counts")
    if isinstance(counts, dict):
        return int(counts.get("passed", 0)), int(sum(counts.values()))
    passed, failed = int(extra.get("passed", 0)), int(extra.get("failed", 0))
    return passed, passed + failed


def _extra_lines(report: dict) -> list[str]:
    extra = report.get("extra")
    if not isinstance(extra, dict):
        return []
    lines = []
    for did, found in sorted(extra.items()):
        if isinstance(found, dict):
            passed, ran = _extra_counts(found)
            lines.append(f"{did}: {passed} of {ran} of the mentor's extra tests passed")
    return lines


# -- points over time -----------------------------------------------------------------------------
Point = tuple[datetime, float, float]  # when, earned, possible


def _series(runs: Iterable[dict]) -> dict[str, list[Point]]:
    """Points over time per learner from runs with learner, created, earned and points; one
    point per learner and time."""
    series: dict[str, dict[datetime, Point]] = {}
    for run in runs:
        when = _when(run)
        if when is not None:
            point = (when, float(run.get("earned", 0)), float(run.get("points", 0)))
            series.setdefault(str(run["learner"]), {})[when] = point
    return {name: sorted(points.values()) for name, points in sorted(series.items())}


def _runs_of(reports: Iterable[dict]) -> list[dict]:
    return [
        {
            "learner": r["learner"]["name"],
            "created": r.get("created"),
            "earned": r.get("earned", 0),
            "points": r.get("points", 0),
        }
        for r in reports
    ]


# -- HTML -----------------------------------------------------------------------------------------
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem;
       color: #1b1b1b; background: #fff; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #c8c8c8; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; white-space: nowrap; }
td.cell { text-align: center; min-width: 4.5rem; font-size: .85rem; white-space: nowrap; }
td.cell small { display: block; color: #333; }
.passing { background: #c8e6c9; } .failing { background: #ffcdd2; }
.not-started { background: #fff3c4; } .skipped { background: #e8d5f0; }
.not-run { background: #eeeeee; color: #555; }
.not-graded { background: #fff; color: #888; border-style: dashed; }
.flag { display: inline-block; background: #b71c1c; color: #fff; font-weight: 600;
        padding: .1rem .45rem; border-radius: .3rem; font-size: .85rem; }
.clean { color: #2e7d32; } .unsigned { color: #b26a00; } .signed { color: #2e7d32; }
.early, td.cell small.early { color: #b71c1c; font-weight: 700; }
.legend span { display: inline-block; padding: .1rem .5rem; margin-right: .3rem;
               border: 1px solid #c8c8c8; font-size: .85rem; }
.notes { background: #fff8e1; border: 1px solid #ffe082; padding: .5rem 1rem; }
ul.flags { margin: .2rem 0 1rem; } code { font-size: .9em; }
svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: #333; }
"""
# No scripts, no network: even a learner text that escaped escaping could not run or fetch.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _bar(earned: float, possible: float) -> str:
    share = 0.0 if possible <= 0 else max(0.0, min(1.0, earned / possible))
    return (
        '<svg width="80" height="10" role="img" aria-label="'
        f'{round(share * 100)} percent"><rect width="80" height="10" fill="#e0e0e0"/>'
        f'<rect width="{share * 80:.1f}" height="10" fill="#2e7d32"/></svg>'
    )


def _html_summary(reports: list[dict], columns: list[_Column]) -> str:
    weeks = _weeks(columns)
    possible = sum(c.points for c in columns)
    head = "".join(f"<th>Week {w}</th>" for w in weeks)
    rows = []
    for report in reports:
        cells = []
        for week in weeks:
            got = _week_total(report, columns, week)
            cells.append(
                '<td class="not-graded">not graded</td>'
                if got is None
                else f'<td class="num">{_bar(*got)} {_num(got[0])} / {_num(got[1])}</td>'
            )
        summary = _flag_summary(report)
        flag = (
            f'<span class="flag" title="{_e(summary)}">&#9888; {_e(summary)}</span>'
            if summary
            else '<span class="clean">no flags</span>'
        )
        signed = (
            '<span class="signed">signed (HMAC-SHA256)</span>'
            if _signed(report)
            else '<span class="unsigned">unsigned</span>'
        )
        name = report["learner"]["name"]
        rows.append(
            f'<tr data-learner="{_e(name)}"><th scope="row">{_e(name)}</th>'
            f'<td class="num">{_num(_total(report, columns))} / {_num(possible)}</td>'
            + "".join(cells)
            + f"<td>{flag}</td><td>{_e(_rubric(report)) or '&ndash;'}</td><td>{signed}</td></tr>"
        )
    return (
        '<table id="summary"><thead><tr><th>Learner</th><th>Total</th>'
        f"{head}<th>Integrity</th><th>Mentor rubric</th><th>Report</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        "<p>A signed report carries an HMAC-SHA256 of its content; this page does not check it. "
        "Check one with <code>rxgrade grade --check REPORT --key-file KEY</code>.</p>"
    )


def _html_cell(result: dict | None, column: _Column, problem: str | None) -> str:
    if result is None:
        return f'<td class="cell not-graded" title="{_e(column.id)}: not graded">&ndash;</td>'
    state = str(result.get("state", "not run"))
    early = f'<small class="early" title="{_e(problem)}">ended early</small>' if problem else ""
    tip = f"{column.id}: {state}" + (f"; ended early: {problem}" if problem else "")
    return (
        f'<td class="cell {_e(state.replace(" ", "-"))}" data-state="{_e(state)}" '
        f'title="{_e(tip)}">{_num(result.get("earned", 0))} / {_num(column.points)}'
        f"<small>{_e(state)}</small>{early}</td>"
    )


def _html_matrix(reports: list[dict], columns: list[_Column]) -> str:
    weeks = _weeks(columns)
    top = "".join(f'<th colspan="{sum(c.week == w for c in columns)}">Week {w}</th>' for w in weeks)
    ids = "".join(f'<th title="{_e(c.title)}">{_e(c.id)}</th>' for c in columns)
    rows = []
    for report in reports:
        mine = _results(report)
        problems = report.get("problems") or {}
        name = report["learner"]["name"]
        flag = ' <span class="flag">&#9888; flagged</span>' if _flag_summary(report) else ""
        cells = "".join(_html_cell(mine.get(c.id), c, problems.get(c.id)) for c in columns)
        rows.append(
            f'<tr class="learner" data-learner="{_e(name)}"><th scope="row">{_e(name)}{flag}'
            f"</th>{cells}</tr>"
        )
    legend = "".join(
        f'<span class="{s.replace(" ", "-")}">{s}</span>' for s in (*STATE_ORDER, "not graded")
    )
    return (
        f'<p class="legend">{legend} <span class="early">ended early</span></p>'
        f'<table id="matrix"><thead><tr><th rowspan="2">Learner</th>{top}</tr><tr>{ids}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _chart(series: dict[str, list[Point]]) -> str:
    """An inline SVG line chart: points earned over time, one line per learner."""
    points = [p for line in series.values() for p in line]
    if not points:
        return "<p>No graded runs with a time to chart.</p>"
    width, height, left, right, top, bottom = 760, 280, 50, 170, 15, 40
    first, last = min(p[0] for p in points), max(p[0] for p in points)
    span = (last - first).total_seconds() or 1.0
    top_points = max(max(p[2] for p in points), max(p[1] for p in points), 1.0)

    def x(when: datetime) -> float:
        if first == last:
            return left + (width - left - right) / 2
        return left + (when - first).total_seconds() / span * (width - left - right)

    def y(value: float) -> float:
        return top + (1 - value / top_points) * (height - top - bottom)

    parts = [
        f'<svg id="over-time" width="{width}" '
        f'height="{height}" role="img" aria-label="points over time per learner">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y(0):.1f}" stroke="#999"/>',
    ]
    for value in (0, top_points / 2, top_points):
        parts.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_num(value)}</text>'
        )
    stamp = "%Y-%m-%d %H:%M" if span >= 3600 else "%Y-%m-%d %H:%M:%S"
    for when, anchor in ((first, "start"), (last, "end")):
        parts.append(
            f'<text x="{x(when):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}">'
            f"{_e(when.strftime(stamp))}</text>"
        )
    for i, (name, line) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{x(w):.1f},{y(e):.1f}" for w, e, _ in line)
        parts.append(
            f'<polyline data-learner="{_e(name)}" fill="none" stroke="{colour}" '
            f'stroke-width="2" points="{coords}"/>'
        )
        for when, earned, possible in line:
            tip = f"{name}: {_num(earned)} / {_num(possible)} at {when.isoformat()}"
            parts.append(
                f'<circle cx="{x(when):.1f}" cy="{y(earned):.1f}" r="3.5" fill="{colour}">'
                f"<title>{_e(tip)}</title></circle>"
            )
        ly = top + 14 * i + 6
        parts.append(
            f'<rect x="{width - right + 12}" y="{ly - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{width - right + 26}" y="{ly + 1}">{_e(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _html_details(reports: list[dict]) -> str:
    blocks = []
    for report in reports:
        flags, extra = _flags(report), _extra_lines(report)
        scores = _rubric_lines(report)
        if not (flags or extra or scores):
            continue
        name = report["learner"]["name"]
        block = [f'<h3 data-learner="{_e(name)}">{_e(name)}</h3>']
        for title, lines, css in (
            ("Integrity flags", flags, "flags"),
            ("Mentor rubric", scores, "rubric"),
            ("The mentor's extra tests (not counted in the points)", extra, "extra"),
        ):
            if lines:
                items = "".join(f"<li><code>{_e(line)}</code></li>" for line in lines)
                block.append(f'<p>{title}:</p><ul class="{css}">{items}</ul>')
        blocks.append("".join(block))
    return "".join(blocks) or "<p>No learner has an integrity flag.</p>"


def _html(
    reports: list[dict], columns: list[_Column], series: dict[str, list[Point]], notes: list[str]
) -> str:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    flagged = sum(bool(_flag_summary(r)) for r in reports)
    noted = "".join(f"<li>{_e(n)}</li>" for n in notes)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Cohort: {len(reports)} learners</title><style>{_CSS}</style></head><body>"
        f"<h1>Cohort: {len(reports)} learners, {len(columns)} exercises</h1>"
        f"<p>Written {_e(now)}. {flagged} learner(s) with integrity flags.</p>"
        + (
            f'<div class="notes"><p>Notes on the reports read:</p><ul>{noted}</ul></div>'
            if notes
            else ""
        )
        + "<h2>Learners</h2>"
        + _html_summary(reports, columns)
        + "<h2>Exercises</h2>"
        + _html_matrix(reports, columns)
        + "<h2>Points over time</h2>"
        + _chart(series)
        + "<h2>Integrity flags and mentor's notes</h2>"
        + _html_details(reports)
        + "</body></html>\n"
    )


# -- Markdown -------------------------------------------------------------------------------------
def _md(text: object) -> str:
    """Learner text as a Markdown code span in a table cell: shown as written, never as HTML."""
    text = str(text).replace("\n", " ").replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _markdown(reports: list[dict], columns: list[_Column], notes: list[str]) -> str:
    weeks = _weeks(columns)
    possible = sum(c.points for c in columns)
    lines = [
        f"# Cohort: {len(reports)} learners, {len(columns)} exercises",
        "",
        "| learner | total | "
        + " | ".join(f"week {w}" for w in weeks)
        + " | integrity | mentor rubric | report |",
        "|---|---|" + "---|" * len(weeks) + "---|---|---|",
    ]
    for report in reports:
        cells = []
        for week in weeks:
            got = _week_total(report, columns, week)
            cells.append("not graded" if got is None else f"{_num(got[0])} / {_num(got[1])}")
        flag = _flag_summary(report)
        lines.append(
            f"| {_md(report['learner']['name'])} | {_num(_total(report, columns))} / "
            f"{_num(possible)} | "
            + " | ".join(cells)
            + f" | {('**FLAGGED**: ' + flag) if flag else 'no flags'}"
            + f" | {_md(_rubric(report)) if _rubric(report) else '–'}"
            + f" | {'signed' if _signed(report) else 'unsigned'} |"
        )
    details = [r for r in reports if _flags(r)]
    if details:
        lines += ["", "## Integrity flags", ""]
        for report in details:
            lines.append(f"- {_md(report['learner']['name'])}:")
            lines += [f"  - {_md(flag)}" for flag in _flags(report)]
    if notes:
        lines += ["", "## Notes on the reports read", ""]
        lines += [f"- {_md(note)}" for note in notes]
    return "\n".join(lines) + "\n"


# -- the gradebook --------------------------------------------------------------------------------
def _safe_cell(text: str) -> str:
    """A learner's text that a spreadsheet would not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _write_csv(path: Path, reports: list[dict], columns: list[_Column]) -> None:
    possible = sum(c.points for c in columns)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CANVAS_COLUMNS, *(c.heading for c in columns), "Total"])
        writer.writerow(
            ["Points Possible", "", "", "", "", *(_num(c.points) for c in columns), _num(possible)]
        )
        for report in reports:
            name = _safe_cell(str(report["learner"]["name"]))
            mine = _results(report)
            earned = [_num(mine[c.id].get("earned", 0)) if c.id in mine else "" for c in columns]
            writer.writerow([name, "", "", name, "", *earned, _num(_total(report, columns))])


# -- the cohort view ------------------------------------------------------------------------------
def write_cohort(dirs: list[Path], out: Path, db: Path | None = None) -> dict[str, Path]:
    """Write ``cohort.html``, ``cohort.md`` and ``gradebook.csv`` into ``out`` from the learner
    reports in ``dirs`` (see the module's docstring); return their paths by kind (``html``,
    ``markdown``, ``csv``). Points over time come from every report read (the superseded ones
    included) and, when ``db`` is given, the runs of the same learners in that history. Raises
    ValueError when the folders hold no learner report."""
    notes: list[str] = []
    found = _read_all(dirs, notes)
    reports = [item.report for item in _merge(found, notes)]
    if not reports:
        folders = ", ".join(str(d) for d in dirs) or "(no folder given)"
        raise ValueError(
            f"no learner reports in {folders}: `rxgrade grade --out DIR` writes them as "
            "DIR/<learner>.json" + (f" ({'; '.join(notes)})" if notes else "")
        )
    columns = _columns(reports)
    runs = _runs_of(item.report for item in found)
    if db is not None:  # the history of the learners on this page only
        shown = {r["learner"]["name"] for r in reports}
        runs = [r for r in history(db) if r["learner"] in shown] + runs
    out.mkdir(parents=True, exist_ok=True)
    paths = {kind: out / name for kind, name in FILES.items()}
    paths["html"].write_text(_html(reports, columns, _series(runs), notes), encoding="utf-8")
    paths["markdown"].write_text(_markdown(reports, columns, notes), encoding="utf-8")
    _write_csv(paths["csv"], reports, columns)
    return paths
