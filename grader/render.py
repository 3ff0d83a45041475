"""Rich renderings of a grading run, shared by the pytest summary and the ``rxgrade`` CLI."""

from __future__ import annotations

from rich.console import Group
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from grader.manifest import Curriculum
from grader.results import DeliverableResult, Run
from grader.state import State

__all__ = ["next_up", "progress_table", "summary_table", "what_next"]

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


def next_up(run: Run) -> DeliverableResult | None:
    """The first deliverable in roadmap order that is graded but not passing."""
    for result in run.results:
        if result.state in ("failing", "not started", "skipped"):
            return result
    return None


def what_next(run: Run, curriculum: Curriculum, state: State) -> Text:
    """What to do next: the first unfinished deliverable, its files, and its current hint."""
    result = next_up(run)
    if result is None:
        if any(r.state == "not run" for r in run.results):
            return Text("Everything that ran passes. Run `rxgrade status` for the whole course.")
        return Text("Everything graded here passes. 🎉", style="bold green")
    deliverable = curriculum[result.id]
    shown, hint = state.current_hint(deliverable)
    text = Text()
    text.append("Next: ", style="bold")
    text.append(f"{deliverable.id} — {deliverable.title}\n")
    text.append(f"  edit  {deliverable.module}\n  tests {deliverable.tests}\n")
    text.append(f"  run   rxgrade check {deliverable.id}\n")
    text.append(f"Hint {shown}/{len(deliverable.hints)}: ", style="bold cyan")
    text.append(hint)
    if shown < len(deliverable.hints):
        text.append(f"\n  (`rxgrade hint {deliverable.id}` reveals the next one)", style="dim")
    return text


def progress_table(run: Run, curriculum: Curriculum) -> Group:
    """A progress bar per week and overall, by points earned."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(width=32)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    for week in curriculum.weeks:
        rows = [r for r in run.results if r.week == week.number]
        graded = [r for r in rows if not r.planned]
        total = sum(r.points for r in graded)
        earned = sum(r.earned for r in graded)
        passing = sum(r.state == "passing" for r in graded)
        coming = len(rows) - len(graded)
        note = f"{passing}/{len(graded)} passing" + (f", {coming} coming" if coming else "")
        table.add_row(
            f"Week {week.number}  {week.title}",
            ProgressBar(total=max(total, 1), completed=earned, width=32),
            f"{earned:g}/{total} pts",
            Text(note, style="dim"),
        )
    table.add_row(
        Text("Overall", style="bold"),
        ProgressBar(total=max(run.points, 1), completed=run.earned, width=32),
        Text(f"{run.earned:g}/{run.points} pts", style="bold"),
        "",
    )
    return Group(table)
