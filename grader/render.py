"""Rich renderings of a grading run, shared by the pytest summary and the ``rxgrade`` CLI."""

from __future__ import annotations

import re
from pathlib import Path

from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from grader.manifest import Curriculum, Deliverable, Points
from grader.results import DeliverableResult, Run
from grader.state import State

__all__ = [
    "exercise_view",
    "next_up",
    "progress_lines",
    "progress_table",
    "summary_table",
    "week_line",
    "what_next",
]

STYLE = {
    "passing": "bold green",
    "failing": "bold red",
    "not started": "yellow",
    "skipped": "magenta",
    "not run": "dim",
    "planned": "dim italic",
}
ICON = {
    "passing": "✔",
    "failing": "✘",
    "not started": "○",
    "skipped": "⊘",
    "not run": "·",
    "planned": "…",
}


def _state(result: DeliverableResult) -> Text:
    label = "coming" if result.state == "planned" else result.state
    return Text(f"{ICON[result.state]} {label}", style=STYLE[result.state])


def summary_table(run: Run) -> Table:
    """One row per deliverable: state, points, and where to look when it is not passing."""
    table = Table(title=f"RxVision25 progress (target: {run.target})", title_justify="left")
    table.add_column("deliverable", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for result in run.results:
        if result.planned:
            points = Text(f"– / {result.points}", style="dim")
        else:
            points = Text(f"{result.earned:g} / {result.points}")
        problem = result.first_problem
        detail = ""
        if result.state == "failing":
            detail = f"{result.count('passed')}/{len(result.tests)} tests pass"
            if problem:
                detail += f"; {problem.nodeid.rsplit('::', 1)[-1]}: {problem.message}"
        elif result.state in ("not started", "skipped") and problem:
            detail = problem.message
        table.add_row(result.id, _state(result), points, detail)
    table.add_section()
    table.add_row("total", "", Text(f"{run.earned:g} / {run.points}", style="bold"), "")
    return table


def next_up(run: Run, curriculum: Curriculum | None = None) -> DeliverableResult | None:
    """The first deliverable in roadmap order that is graded but not passing; with
    ``curriculum``, the core ones first (stretch exercises are for when the core is done)."""
    open_ = [r for r in run.results if r.state in ("failing", "not started", "skipped")]
    if curriculum is not None:
        core = [r for r in open_ if r.id in curriculum and curriculum[r.id].tier == "core"]
        open_ = core + [r for r in open_ if r not in core]
    return open_[0] if open_ else None


def what_next(run: Run, curriculum: Curriculum, state: State) -> Text:
    """What to do next: the first unfinished deliverable, its files, and its current hint."""
    result = next_up(run, curriculum)
    if result is None:
        if any(r.state == "not run" for r in run.results):
            return Text("Everything that ran passes. Run `rxgrade status` for the whole course.")
        return Text("Everything graded here passes. 🎉", style="bold green")
    deliverable = curriculum[result.id]
    first = result.first_problem
    shown, hint = state.current_hint(deliverable, first.clauses if first else ())
    text = Text()
    text.append("Next: ", style="bold")
    text.append(f"{deliverable.id} — {deliverable.title}\n")
    edit = deliverable.module
    if deliverable.kind == "notebook":  # a jupytext pair: either file, the last saved is graded
        edit += f" (or {Path(deliverable.module).with_suffix('.ipynb').name} in JupyterLab)"
    text.append(f"  edit  {edit}\n  tests {deliverable.tests}\n")
    text.append(f"  run   rxgrade check {deliverable.id}\n")
    text.append(f"Hint {shown}/{len(deliverable.hints)}: ", style="bold cyan")
    text.append(hint)
    if shown < len(deliverable.hints):
        text.append(f"\n  (`rxgrade hint {deliverable.id}` reveals the next one)", style="dim")
    return text


def _progress_rows(run: Run, curriculum: Curriculum) -> list[tuple[str, float, int, str]]:
    """(title, points earned, points gradable, note) per week, then overall."""
    rows = []
    for week in curriculum.weeks:
        results = [r for r in run.results if r.week == week.number]
        graded = [r for r in results if not r.planned]
        coming = len(results) - len(graded)
        passing = sum(r.state == "passing" for r in graded)
        core = [r for r in graded if r.id in curriculum and curriculum[r.id].tier == "core"]
        core_note = ""
        if core and len(core) < len(graded):
            core_passing = sum(r.state == "passing" for r in core)
            core_note = f"core {core_passing}/{len(core)}, "
        note = f"{core_note}{passing}/{len(graded)} passing" + (
            f", {coming} coming" if coming else ""
        )
        earned = sum(r.earned for r in graded)
        rows.append(
            (f"Week {week.number}  {week.title}", earned, sum(r.points for r in graded), note)
        )
    points = Points.of(curriculum)
    coming = f"{points.coming} more points coming" if points.coming else ""
    rows.append(("Overall", run.earned, run.points, coming))
    return rows


def progress_lines(run: Run, curriculum: Curriculum) -> list[str]:
    """:func:`progress_table` as plain lines, for output that is not a terminal (a log, a pipe)."""
    return [
        f"{title}: {earned:g}/{total} points" + (f" ({note})" if note else "")
        for title, earned, total, note in _progress_rows(run, curriculum)
    ]


def progress_table(run: Run, curriculum: Curriculum, width: int = 100) -> Table:
    """A progress bar per week and overall, by points earned, fitted to ``width`` columns."""
    rows = _progress_rows(run, curriculum)
    note_w = max(len(row[3]) for row in rows)
    points_w = max(len(f"{row[1]:g}/{row[2]} pts") for row in rows)
    room = width - 1 - note_w - points_w - 6  # three gaps of two columns
    title_w = min(max(len(row[0]) for row in rows), max(14, room - 12))
    bar_w = max(8, min(40, room - title_w))
    table = Table.grid(padding=(0, 2))
    table.add_column(width=title_w, no_wrap=True, overflow="ellipsis")
    table.add_column(width=bar_w)
    table.add_column(width=points_w, justify="right", no_wrap=True)
    table.add_column(width=note_w, no_wrap=True)
    for title, earned, total, note in rows:
        style = "bold" if title == "Overall" else ""
        table.add_row(
            Text(title, style=style),
            ProgressBar(total=max(total, 1), completed=earned, width=bar_w),
            Text(f"{earned:g}/{total} pts", style=style),
            Text(note, style="dim"),
        )
    return table


_SOURCE_AT = re.compile(r"^(?P<path>[\w./-]+\.py):(?P<line>\d+): (?P<kind>\w+Error)\b")
#: Lines of a failure message shown in the one-exercise view (the rest: ``--verbose``).
MESSAGE_LINES = 12


def _source_line(root: Path, message: str) -> list[str]:
    """For ``path:line: SomethingError`` messages, that line of the learner's file."""
    match = _SOURCE_AT.match(message)
    if not match:
        return []
    path = root / match["path"]
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return [f"    {int(match['line'])} | {lines[int(match['line']) - 1].rstrip()}"]
    except (OSError, IndexError, ValueError):
        return []


def exercise_view(
    result: DeliverableResult,
    deliverable: Deliverable,
    state: State,
    *,
    learner_root: Path,
    problem: str = "",
    target: str = "learner",
) -> Text:
    """One exercise on screen: its state, its tests in one line, its first problem, its hint.

    ``problem`` is what ended its run early (:class:`grader.isolate.ExerciseRun`), if anything.
    """
    text = Text()
    text.append(f"{ICON[result.state]} {deliverable.id}", style=STYLE[result.state])
    text.append(f" — {deliverable.title}  ")
    counted = [t for t in result.tests if t.outcome != "skipped"]
    text.append(f"{result.earned:g}/{result.points} points\n", style="bold")
    counts = [
        (outcome, result.count(outcome))
        for outcome in ("passed", "failed", "not started", "skipped")
        if result.count(outcome)
    ]
    text.append("  " + (" · ".join(f"{n} {outcome}" for outcome, n in counts) or "no tests ran"))
    text.append(f" (of {len(counted)} counted)\n" if counted else "\n", style="dim")
    if deliverable.kind == "notebook" and target == "learner":
        from grader.notebooks import graded_note, notebook_to_grade

        pair = learner_root / deliverable.module
        if pair.exists():
            text.append(f"  {graded_note(notebook_to_grade(pair), learner_root)}\n", style="dim")
    first = result.first_problem
    if first is not None and result.state != "passing":
        name = first.nodeid.rsplit("::", 1)[-1]
        label = "Not started" if first.outcome == "not started" else "First problem"
        text.append(f"{label}: ", style="bold")
        text.append(f"{name}\n")
        lines = (first.message or "(no message)").splitlines()
        for line in lines[:MESSAGE_LINES]:
            text.append(f"  {line}\n")
        if len(lines) > MESSAGE_LINES:
            text.append(f"  [… {len(lines) - MESSAGE_LINES} more lines: --verbose]\n", style="dim")
        for line in _source_line(learner_root, first.message):
            text.append(line + "\n", style="yellow")
    if problem and (first is None or problem not in first.message):
        text.append(f"  {problem}\n", style="red")
    if result.state != "passing":
        shown, hint = state.current_hint(deliverable, first.clauses if first else ())
        text.append(f"Hint {shown}/{len(deliverable.hints)}: ", style="bold cyan")
        text.append(hint)
        if shown < len(deliverable.hints):
            text.append(f"  (`rxgrade hint {deliverable.id}` for the next)", style="dim")
        text.append("\n")
        text.append(f"  edit {deliverable.module} · tests {deliverable.tests}\n", style="dim")
    return text


def week_line(run: Run, week: int, *, besides: str | None = None) -> Text:
    """One line for a week's other exercises, from ``run`` (usually the last full grading)."""
    results = [r for r in run.results if r.week == week and r.id != besides and not r.planned]
    counts = {state: sum(r.state == state for r in results) for state in STATES_SHOWN}
    parts = [f"{n} {state}" for state, n in counts.items() if n]
    label = f"Week {week}" + (" (the others)" if besides else "")
    return Text(
        f"{label}: {' · '.join(parts) or 'nothing graded yet'} — `rxgrade status` for all",
        style="dim",
    )


STATES_SHOWN = ("passing", "failing", "not started", "skipped", "not run")
