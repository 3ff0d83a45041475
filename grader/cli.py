"""``rxgrade``: the learner's, mentor's and author's command line (a thin layer over grader.*)."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from grader import manifest
from grader.isolate import ExerciseRun
from grader.render import (
    exercise_view,
    progress_lines,
    progress_table,
    summary_table,
    week_line,
    what_next,
)
from grader.results import Run, summarise
from grader.runner import run_pytest, selection
from grader.state import State

__all__ = ["app", "resolve_exercise", "watch_loop"]

app = typer.Typer(
    help="Grade your RxVision25 work: progress, checks, hints, reports.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)

Target = Annotated[
    str,
    typer.Option(
        "--target", "-t", help="learner (your weeks/) or solution (the reference solutions/)"
    ),
]
Root = Annotated[
    Path | None,
    typer.Option(
        "--root", help="Repository root (default: the nearest curriculum.toml above cwd)."
    ),
]


def _load(root: Path | None) -> manifest.Curriculum:
    try:
        return manifest.load(manifest.find_root(root))
    except (FileNotFoundError, manifest.ManifestError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def resolve_exercise(
    curriculum: manifest.Curriculum, week: str, exercise: str | None = None
) -> tuple[str | None, str | None]:
    """Turn ``week1``, ``1``, ``week1 efficientnet``, ``week1.efficientnet`` or a unique short
    name (``efficientnet``) into (week, id); a KeyError suggests the closest ids."""
    if exercise is None and not re.fullmatch(r"(?:week)?\d+", week.strip()):
        deliverable = curriculum.find(week)
        return f"week{deliverable.week}", deliverable.id
    week_obj = curriculum.week(week)
    if exercise is None:
        return week_obj.slug, None
    deliverable_id = exercise if exercise.startswith("week") else f"{week_obj.slug}.{exercise}"
    deliverable = curriculum.find(deliverable_id)
    return f"week{deliverable.week}", deliverable.id


def _find(curriculum: manifest.Curriculum, text: str) -> manifest.Deliverable:
    """:meth:`manifest.Curriculum.find`, or a clear error and exit code 2."""
    try:
        return curriculum.find(text)
    except KeyError as exc:
        console.print(f"[red]{escape(exc.args[0])}[/red]")
        raise typer.Exit(2) from exc


def _remember(curriculum: manifest.Curriculum, target: str, partial: Run | None) -> Run:
    """Merge a run's results into the last full report (kept in .rxgrade/) and return it."""
    path = State(curriculum.root).last_report(target)
    tests = {r.id: r.tests for r in Run.read_json(path).results} if path.exists() else {}
    if partial is not None:
        tests.update({r.id: r.tests for r in partial.results if r.tests})
    run = summarise(curriculum, tests, target)
    run.write_json(path)
    return run


def _grade(
    curriculum: manifest.Curriculum,
    target: str,
    deliverables: list[manifest.Deliverable],
    *,
    show_progress: bool = True,
) -> tuple[Run, list[ExerciseRun]]:
    """Grade ``deliverables``, each in its own process (:mod:`grader.isolate`: a broken or
    hostile exercise costs only itself), and merge the results into the last full report."""
    from grader import isolate, worker

    args = [f"--target={target}", "-q", "--rxgrade-summary=no", "--color=no"]
    done: list[str] = []
    # No thread of ours may run while this process forks (a lock it holds at that moment stays
    # locked in the child for ever), so the progress line is redrawn by hand, never by Rich's
    # auto-refresh thread.
    with Live(
        Text(f"Grading {len(deliverables)} exercise(s)…"),
        console=console,
        auto_refresh=False,
        transient=True,
    ) as live:

        def say(message: str) -> None:
            live.update(Text(message, style="dim"), refresh=True)

        def on_done(run: ExerciseRun) -> None:
            done.append(run.id)
            if show_progress:
                say(f"Graded {run.id} ({len(done)}/{len(deliverables)})…")

        runs = None
        if worker.enabled():
            ids = [d.id for d in deliverables]
            runs = worker.grade(curriculum.root, ids, args=args, jobs=_JOBS, on_done=on_done)
            if runs is None and console.is_terminal:
                worker.start(curriculum.root)  # for the next call: torch is imported there once
        if runs is None:
            say("Importing torch and timm…")
            many = len(deliverables) > 3  # then the libraries several exercises use, once
            isolate.warm(
                (*isolate.WARM_MODULES, *isolate.WARM_MORE) if many else isolate.WARM_MODULES
            )
            say(f"Grading {len(deliverables)} exercise(s)…")
            runs = isolate.run_exercises(
                curriculum.root, deliverables, args=args, jobs=_JOBS, on_done=on_done
            )
    partial = summarise(curriculum, isolate.outcomes(runs), target)
    return _remember(curriculum, target, partial), runs


_JOBS = min(2, os.cpu_count() or 1)


def _grade_all(curriculum: manifest.Curriculum, target: str) -> Run:
    return _grade(curriculum, target, [d for d in curriculum if not d.planned])[0]


def _age(path: Path) -> str:
    seconds = max(0.0, time.time() - path.stat().st_mtime)
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


@app.command()
def status(
    target: Target = "learner",
    regrade: Annotated[
        bool,
        typer.Option(
            "--regrade", help="Grade every exercise again instead of showing the last results."
        ),
    ] = False,
    cached: Annotated[bool, typer.Option(hidden=True)] = False,  # the default since 2026-12
    root: Root = None,
) -> None:
    """Your graded progress across all six weeks (from the last grading), and what to do next."""
    del cached
    curriculum = _load(root)
    state = State(curriculum.root)
    last = state.last_report(target)
    if last.exists() and not regrade:
        run = Run.read_json(last)
        console.print(
            f"[dim]Results of the last grading, {_age(last)} (`rxgrade check ID` grades one "
            "exercise, `rxgrade status --regrade` all of them).[/dim]"
        )
    else:
        run = _grade_all(curriculum, target)
    if console.is_terminal:
        console.print(progress_table(run, curriculum, console.width))
    else:  # a log or a pipe: plain lines, no bars drawn with block characters
        for line in progress_lines(run, curriculum):
            console.print(line, markup=False, highlight=False)
    console.print()
    console.print(what_next(run, curriculum, state))


@app.command()
def check(
    week: Annotated[str, typer.Argument(help="week1, 1, or an id like week1.efficientnet")],
    exercise: Annotated[str | None, typer.Argument(help="e.g. efficientnet")] = None,
    target: Target = "learner",
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="pytest's full output instead of the summary."),
    ] = False,
    root: Root = None,
) -> None:
    """Grade one exercise (its tests, first problem and hint) or one week (a table)."""
    curriculum = _load(root)
    try:
        week_slug, deliverable_id = resolve_exercise(curriculum, week, exercise)
        paths = selection(curriculum, week=week_slug, exercise=deliverable_id)
    except (KeyError, ValueError) as exc:
        console.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from exc
    if not paths:
        console.print(f"{week_slug}: every exercise of this week is coming in a later release.")
        raise typer.Exit(0)
    if verbose:
        outcome = run_pytest(curriculum.root, paths, target=target, capture=False)
        _remember(curriculum, target, outcome.run)
        raise typer.Exit(outcome.returncode)
    if deliverable_id is not None:
        raise typer.Exit(_check_one(curriculum, curriculum[deliverable_id], target))
    week_obj = curriculum.week(week_slug)
    ready = [d for d in week_obj.deliverables if not d.planned]
    run, _ = _grade(curriculum, target, ready)
    shown = summarise(curriculum, {r.id: r.tests for r in run.results}, target, {week_obj.number})
    console.print(summary_table(shown))
    console.print(what_next(shown, curriculum, State(curriculum.root)))
    raise typer.Exit(0 if all(r.state == "passing" for r in shown.results if not r.planned) else 1)


def _learner_root(curriculum: manifest.Curriculum) -> Path:
    from grader._target import ENV_LEARNER_ROOT

    return Path(os.environ.get(ENV_LEARNER_ROOT) or curriculum.root)


def _check_one(
    curriculum: manifest.Curriculum, deliverable: manifest.Deliverable, target: str
) -> int:
    """Grade one exercise and show it alone, with one line for the rest of its week; the exit
    code is 0 when it passes."""
    run, runs = _grade(curriculum, target, [deliverable], show_progress=False)
    result = next(r for r in run.results if r.id == deliverable.id)
    root = _learner_root(curriculum) if target == "learner" else curriculum.root
    console.print(
        exercise_view(
            result,
            deliverable,
            State(curriculum.root),
            learner_root=root,
            problem=runs[0].problem if runs else "",
            target=target,
        )
    )
    console.print(week_line(run, deliverable.week, besides=deliverable.id))
    console.print("[dim]`--verbose` shows pytest's full output.[/dim]")
    return 0 if result.state == "passing" else 1


@app.command()
def hint(
    exercise: Annotated[str, typer.Argument(help="exercise id, e.g. week1.efficientnet")],
    root: Root = None,
) -> None:
    """Reveal the next staged hint of an exercise (gentle first; the count is remembered)."""
    curriculum = _load(root)
    deliverable = _find(curriculum, exercise)
    state = State(curriculum.root)
    # the hints about the exercise's first test not passing at its last grading, if tagged
    first = None
    if (last := state.last_report("learner")).exists():
        with contextlib.suppress(Exception):
            results = {r.id: r for r in Run.read_json(last).results}
            if deliverable.id in results:
                first = results[deliverable.id].first_problem
    clauses = first.clauses if first is not None else ()
    number, text = state.reveal_hint(deliverable, clauses)
    console.print(f"[bold cyan]Hint {number}/{len(deliverable.hints)}[/] for {deliverable.id}:")
    if first is not None and deliverable.hint_clauses[number - 1]:
        console.print(
            f"[dim](about {first.nodeid.rsplit('::', 1)[-1]}, your first test not passing)[/dim]"
        )
    console.print(text)
    group = state.group(deliverable, clauses)
    if number - 1 == group[-1] and group[-1] != len(deliverable.hints) - 1:
        console.print(
            "[dim]That was the last hint for these tests; the others come with the tests they "
            "are about.[/dim]"
        )
    elif number == len(deliverable.hints):
        console.print(
            "[dim]That was the last hint. The reference solution is "
            + " and ".join(_real_code(curriculum, deliverable))
            + "[/dim]"
        )


def _real_code(curriculum: manifest.Curriculum, deliverable: manifest.Deliverable) -> list[str]:
    """Where the reference code of ``deliverable`` really is: its solution file, and the
    modules of the reference system that file imports (most solutions re-export rxvision)."""
    from grader.verified import imported_rxvision

    solution = curriculum.root / deliverable.solution
    found = sorted(imported_rxvision(curriculum.root, solution))
    shown = [p.relative_to(curriculum.root).as_posix() for p in found]
    if shown:
        return [f"{deliverable.solution}, which imports its code from {', '.join(shown)}"]
    return [deliverable.solution]


@app.command(name="next")
def next_(target: Target = "learner", root: Root = None) -> None:
    """The next exercise to work on (from your last graded run, or a fresh one)."""
    curriculum = _load(root)
    state = State(curriculum.root)
    last = state.last_report(target)
    run = Run.read_json(last) if last.exists() else _grade_all(curriculum, target)
    console.print(what_next(run, curriculum, state))


@app.command()
def report(
    out: Annotated[
        Path, typer.Option(help="Directory for report.json, report.md, junit.xml")
    ] = Path("reports"),
    week: Annotated[str | None, typer.Option(help="Only this week")] = None,
    rubric: Annotated[
        Path | None,
        typer.Option(
            help="A mentor's rubric scores (TOML, e.g. mentor-rubric.toml; see grader/rubric.py) "
            "to add to the report, apart from the automated points: one score per deliverable, "
            "or one per criterion of its published rubric (`rxgrade rubric --template`)."
        ),
    ] = None,
    target: Target = "learner",
    root: Root = None,
) -> None:
    """Write JSON (schema rxgrade.report/1), Markdown and JUnit XML reports.

    With --rubric, the mentor's scores are checked first (unknown ids or criteria, scores above
    their maximum) and added as the optional "mentor" block of report.json and the "Mentor
    rubric" section of report.md.
    """
    curriculum = _load(root)
    mentor = None
    if rubric is not None:
        from grader.rubric import RubricError
        from grader.rubric import load as load_rubric

        try:
            mentor = load_rubric(rubric, curriculum)
        except RubricError as exc:
            console.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from exc
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    paths = selection(curriculum, week=week)
    outcome = run_pytest(
        curriculum.root,
        paths,
        target=target,
        extra=[f"--rxgrade-markdown={out / 'report.md'}", f"--junitxml={out / 'junit.xml'}"],
    )
    if outcome.run is None:
        console.print(outcome.output[-3000:])
        raise typer.Exit(2)
    if mentor is not None:
        from grader.report import write_markdown
        from grader.rubric import attach

        attach(outcome.run, mentor)
        write_markdown(outcome.run, out / "report.md")
    outcome.run.write_json(out / "report.json")
    console.print(summary_table(outcome.run))
    if mentor is not None:
        console.print(
            f"Mentor rubric ({mentor.mentor}, {mentor.date}): {mentor.total:g} / "
            f"{mentor.maximum:g} over {len(mentor.scores)} deliverable(s), reported separately"
        )
    console.print(f"Reports written to {out}: report.json, report.md, junit.xml")


@app.command(name="rubric")
def rubric_(
    exercises: Annotated[
        list[str] | None,
        typer.Argument(help="Ids, e.g. week6.star_stories (default: list every published rubric)"),
    ] = None,
    template: Annotated[
        bool,
        typer.Option(
            "--template",
            help="Print a mentor scores file to fill in (for --rubric of rxgrade report) instead.",
        ),
    ] = False,
    root: Root = None,
) -> None:
    """The mentor rubric of written deliverables: criteria, what a mentor looks for, levels.

    Without ids, lists every deliverable that publishes one. A mentor scores each criterion in a
    scores file (`--template` prints one) and attaches it with `rxgrade report --rubric FILE`.
    """
    from grader.rubric import describe
    from grader.rubric import template as scores_template

    curriculum = _load(root)
    if exercises:
        chosen = [_find(curriculum, e) for e in exercises]
    else:
        chosen = [d for d in curriculum if d.mentor_rubric and not d.planned]
    if template:
        console.print(scores_template(chosen), markup=False, soft_wrap=True)
        return
    if not exercises:
        console.print(f"{len(chosen)} deliverables publish a mentor rubric:")
        for d in chosen:
            ids = ", ".join(c.id for c in d.mentor_rubric)
            console.print(f"  {d.id}: {escape(d.title)} [dim]({ids})[/dim]")
        console.print("`rxgrade rubric ID` shows one in full; --template prints a scores file.")
        return
    for d in chosen:
        console.print(describe(d), markup=False, soft_wrap=True)
        console.print()


@app.command()
def verify(
    exercises: Annotated[list[str] | None, typer.Argument(help="Only these ids")] = None,
    tests: Annotated[bool, typer.Option(help="Run the tests (solution and stub)")] = True,
    mutations: Annotated[bool, typer.Option(help="Run the mutation checks")] = True,
    root: Root = None,
) -> None:
    """For authors: every ready exercise has stub, solution and tests; solution passes, stub
    fails, every mutant is caught, stub and solution share one API."""
    from grader.verify import verify as run_verify

    curriculum = _load(root)
    exercises = [_find(curriculum, e).id for e in exercises or []]
    problems = run_verify(
        curriculum,
        ids=exercises or None,
        run_tests=tests,
        run_mutants=mutations,
        progress=lambda message: console.print(f"[dim]· {message}[/dim]"),
    )
    ready = sum(not d.planned for d in curriculum)
    planned = sum(d.planned for d in curriculum)
    if problems:
        for problem in problems:
            console.print(f"[red]✘[/red] {escape(str(problem))}")
        console.print(f"[red]{len(problems)} problem(s)[/red]")
        raise typer.Exit(1)
    checked = [d.id for d in curriculum if not d.planned and (not exercises or d.id in exercises)]
    if tests and mutations:
        from grader import verified

        verified.record(curriculum, checked)
        console.print(
            f"[dim]· recorded in {verified.RECORD}: the mutation checks of {len(checked)} "
            "exercise(s) hold for their files as they are (CI re-runs them when these change)[/dim]"
        )
    if exercises:
        console.print(f"[green]✔ {len(checked)} exercise(s) verified[/green]")
        return
    console.print(f"[green]✔ {ready} ready exercises verified[/green] ({planned} planned)")


@app.command()
def grade(
    learners: Annotated[
        list[Path] | None, typer.Argument(help="Learner checkouts to grade (only read).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for <learner>.json, .md and .xml.")
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", help="Secret key: sign each report with HMAC-SHA256."),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="Exercises graded at once.")] = 1,
    weeks: Annotated[
        str | None, typer.Option("--weeks", help="Only these weeks, e.g. 1,6 (default: all).")
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option("--check", help="Verify a signed report (with --key-file) instead."),
    ] = None,
    extra_tests: Annotated[
        Path | None,
        typer.Option(
            "--extra-tests",
            help="Your own tests (test_<name>.py, as the official file is named), run after the "
            "official ones and reported apart; learners never see them.",
        ),
    ] = None,
    rubric: Annotated[
        Path | None,
        typer.Option(
            "--rubric",
            help="Your rubric scores of written work: a folder of <learner>.toml, or one file "
            "with `learner = ...` (format: `rxgrade rubric --template`).",
        ),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            help="SQLite history every graded run is added to (default: OUT/history.sqlite).",
        ),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="I/N: grade only the I-th of N slices of the learners (0-based, as a "
            "Kubernetes Indexed Job's JOB_COMPLETION_INDEX); `rxgrade cohort` merges the outputs.",
        ),
    ] = None,
    root: Root = None,
) -> None:
    """Grade learner checkouts with the official tests (a mentor's command).

    Each checkout is graded in a fresh copy of this (the mentor's) checkout holding only the
    learner's exercise files; official files the learner changed are listed in the report's
    `integrity` and ignored. Each exercise runs in its own process with a time, memory and
    output limit. With --key-file every report is signed; `--check REPORT --key-file KEY`
    exits 0 only when the report is exactly as signed.
    """
    from grader import cohort, mentor

    key = None
    if key_file is not None:
        try:
            key = mentor.read_key(key_file)
        except (OSError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    if check is not None:
        if key is None:
            console.print("[red]--check needs the --key-file the report was signed with[/red]")
            raise typer.Exit(2)
        verdict = mentor.check_report(check, key)
        if verdict.ok:
            console.print(f"{check}: intact (HMAC-SHA256 matches)")
            return
        console.print(f"[red]{check}: NOT as signed[/red]")
        for problem in verdict.problems:
            console.print(f"  {problem}")
        raise typer.Exit(1)
    if not learners or out is None:
        console.print("[red]give learner checkouts and --out DIR (or --check REPORT)[/red]")
        raise typer.Exit(2)
    curriculum = _load(root)
    try:
        chosen = [int(w) for w in weeks.split(",")] if weeks else None
    except ValueError as exc:
        console.print(f"[red]--weeks takes numbers, e.g. 1,6: got {weeks!r}[/red]")
        raise typer.Exit(2) from exc
    if extra_tests is not None:
        try:
            mentor.extra_tests(curriculum, extra_tests)
        except (OSError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    names = [p.resolve().name for p in learners]
    if len(set(names)) != len(names):
        console.print("[red]two checkouts share a folder name; reports are named after it[/red]")
        raise typer.Exit(2)
    for learner in learners:
        if not learner.is_dir():
            console.print(f"[red]{learner}: not a folder[/red]")
            raise typer.Exit(2)
        if learner.resolve() == curriculum.root.resolve():
            console.print(f"[red]{learner} is the mentor's own checkout[/red]")
            raise typer.Exit(2)
    if shard is not None:
        try:
            index, count = (int(x) for x in shard.split("/"))
            learners = mentor.shard(list(learners), index, count)
        except ValueError as exc:
            console.print(f"[red]--shard takes I/N with 0 <= I < N, e.g. 0/4: {exc}[/red]")
            raise typer.Exit(2) from exc
        console.print(f"Shard {index}/{count}: {len(learners)} learner(s).")
    scores: dict[str, dict] = {}
    if rubric is not None:
        from grader.rubric import RubricError

        try:
            scores = mentor.rubrics_for(rubric, curriculum, names)  # all shards' learners
        except (OSError, RubricError) as exc:
            console.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from exc
    if key is None:
        console.print("[yellow]No --key-file: the reports are unsigned (and say so).[/yellow]")
    for learner in learners:
        graded = mentor.grade_learner(
            curriculum.root,
            learner,
            out,
            key=key,
            jobs=jobs,
            weeks=chosen,
            extra=extra_tests,
            rubric=scores.get(learner.resolve().name),
        )
        cohort.record(history or out / "history.sqlite", graded.report)
        report = graded.report
        flags = len(report["integrity"]["modified"]) + len(
            report["integrity"]["reaches_into_grader"]
        )
        console.print(
            f"{graded.name}: {report['earned']:g} / {report['points']} points in "
            f"{graded.seconds:.0f} s"
            + (f", [red]{flags} integrity flag(s)[/red]" if flags else "")
            + f" → {graded.paths['json']}"
        )


@app.command(name="cohort")
def cohort_(
    reports: Annotated[
        list[Path], typer.Argument(help="Folders of learner reports (`rxgrade grade --out`).")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write (default: the first report folder)."),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            help="SQLite history for points over time (default: the first folder's "
            "history.sqlite, when there is one).",
        ),
    ] = None,
) -> None:
    """The cohort view: cohort.html, cohort.md and gradebook.csv (a mentor's command).

    Several folders are merged (the shards of one cohort, or older and newer runs: the latest
    report of each learner counts).
    """
    from grader import cohort

    target = out or reports[0]
    db = history or (reports[0] / "history.sqlite")
    try:
        paths = cohort.write_cohort(reports, target, db if db.is_file() else None)
    except ValueError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    for kind, path in paths.items():
        console.print(f"{kind:<9} {path}")


@app.command(name="worker")
def worker_(
    stop: Annotated[bool, typer.Option("--stop", help="Stop the running worker.")] = False,
    root: Root = None,
) -> None:
    """The resident grading worker: torch and timm imported once, so `check` answers fast.

    `rxgrade check` starts it in the background by itself (from a terminal); this command shows
    whether one runs, or stops it. RXGRADE_WORKER=off turns it off.
    """
    from grader import worker

    curriculum = _load(root)
    if stop:
        stopped = worker.stop(curriculum.root)
        console.print("Stopped the worker." if stopped else "No worker was running.")
        return
    pid = worker.ping(curriculum.root)
    if pid is None:
        console.print("No worker is running; `rxgrade check ID` starts one from a terminal.")
    else:
        console.print(
            f"A worker is running (pid {pid}, socket {worker.socket_path(curriculum.root)})."
        )


@app.command()
def new(
    exercise: Annotated[
        str, typer.Argument(help="An id of curriculum.toml, usually a planned one: weekN.name")
    ],
    kind: Annotated[
        str | None, typer.Option(help="Kind, when the entry file is created: code, notebook, ...")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title, when the entry file is created")] = None,
    root: Root = None,
) -> None:
    """For authors: scaffold an exercise (stub, solution, placeholder test, entry file).

    Never overwrites a file. The id must be in curriculum.toml already (add its line, in roadmap
    order, first); the entry becomes ready, and `rxgrade verify ID` lists what is left to write.
    """
    from grader.scaffold import ScaffoldError, scaffold

    try:
        base = manifest.find_root(root)
        written = scaffold(base, exercise, kind=kind, title=title)
    except (FileNotFoundError, ScaffoldError) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    for path in written:
        console.print(f"[green]wrote[/green] {path.relative_to(base.resolve()).as_posix()}")
    console.print(
        f"Next: write the stub's spec, the reference solution, the tests and the mutants, until "
        f"`rxgrade verify {exercise}` passes (docs/authors.md)."
    )


@app.command()
def mock(
    seed: Annotated[
        int | None, typer.Option(help="Seed of the draw: the same seed gives the same session.")
    ] = None,
    difficulty: Annotated[
        str | None, typer.Option(help="Difficulty of the coding drill: easy, medium or hard.")
    ] = None,
    parts: Annotated[
        str, typer.Option(help="The parts, in this order, comma-separated.")
    ] = "coding,design,behavioural",
    fresh_design: Annotated[
        bool,
        typer.Option(
            "--fresh-design",
            help="Draw a design prompt you have not practised (for week6.mock_system_design) "
            "instead of one of the three Monday prompts.",
        ),
    ] = False,
    theme: Annotated[
        str | None,
        typer.Option(help="Behavioural theme, e.g. failure, disagreement, ownership."),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            help="Non-interactive: read DIR/design.md and DIR/behavioural.md instead of waiting "
            "for Enter.",
            exists=True,
            file_okay=False,
            metavar="DIR",
        ),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="List your recorded sessions and exit.")
    ] = False,
    target: Target = "learner",
    root: Root = None,
) -> None:
    """A timed mock interview: a coding drill, a system design prompt, a behavioural question.

    Each part shows its prompt and time box; press Enter to start the clock and Enter again when
    you are done. [bold]Coding[/bold]: a week-6 drill drawn at random (--difficulty filters it);
    solve it in its stub under weeks/week6/; its tests run as soon as you finish.
    [bold]Design[/bold]: one of the three Monday prompts (or a fresh one with --fresh-design);
    answer with your Monday template in the file the session creates under .rxgrade/mock/.
    [bold]Behavioural[/bold]: a question with its themes; answer in STAR form in the same folder.

    Every session (parts, time used against each time box, the coding result, the answer files)
    is appended to .rxgrade/mock-sessions.jsonl; --history lists them. With --answers DIR the
    session runs without waiting, reading DIR/design.md and DIR/behavioural.md.
    """
    from grader import mock as mock_sessions

    curriculum = _load(root)
    if history:
        sessions = mock_sessions.history(curriculum.root)
        if not sessions:
            console.print("No mock interview recorded yet: run `rxgrade mock`.")
            return
        for session in sessions:
            console.print(mock_sessions.summary_table(session))
        return
    if difficulty is not None and difficulty not in manifest.DIFFICULTIES:
        console.print(f"[red]--difficulty must be one of {', '.join(manifest.DIFFICULTIES)}[/red]")
        raise typer.Exit(2)
    chosen = [p.strip().replace("behavioral", "behavioural") for p in parts.split(",") if p.strip()]
    try:
        plan = mock_sessions.plan_session(
            curriculum,
            seed=seed,
            difficulty=difficulty,
            parts=chosen,
            fresh_design=fresh_design,
            theme=theme,
        )
        mock_sessions.run_session(plan, curriculum, target=target, answers=answers, console=console)
    except mock_sessions.MockError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    except (KeyboardInterrupt, EOFError) as exc:
        console.print("\nSession abandoned: nothing was recorded.")
        raise typer.Exit(1) from exc


def watch_loop(
    run_check: Callable[[], int],
    changes: Iterable[object],
    *,
    on_result: Callable[[int], None] = lambda _code: None,
) -> int:
    """Run ``run_check`` once, then again after every batch of ``changes``; return the runs."""
    runs = 0
    on_result(run_check())
    runs += 1
    for _batch in changes:
        on_result(run_check())
        runs += 1
    return runs


@app.command()
def watch(
    exercise: Annotated[
        str | None, typer.Argument(help="Exercise id; default: the next unfinished one")
    ] = None,
    target: Target = "learner",
    root: Root = None,
) -> None:
    """Re-run an exercise's tests every time you save a file under weeks/ (Ctrl-C to stop)."""
    from watchfiles import watch as watch_files

    curriculum = _load(root)
    state = State(curriculum.root)
    chosen = _find(curriculum, exercise).id if exercise else None

    def current() -> str | None:
        if chosen:
            return chosen
        last = state.last_report(target)
        run = Run.read_json(last) if last.exists() else _grade_all(curriculum, target)
        from grader.render import next_up

        result = next_up(run, curriculum)
        return result.id if result else None

    def run_check() -> int:
        console.clear()
        deliverable_id = current()
        if deliverable_id is None:
            console.print("[green]Everything passes.[/green] Waiting for changes…")
            return 0
        console.print(f"[bold]rxgrade watch[/bold] {deliverable_id} ({time.strftime('%H:%M:%S')})")
        code = _check_one(curriculum, curriculum[deliverable_id], target)
        console.print("[dim]Watching weeks/ for changes (Ctrl-C to stop)…[/dim]")
        return code

    try:
        watch_loop(run_check, watch_files(curriculum.root / "weeks"))
    except KeyboardInterrupt:
        console.print("Stopped watching.")


if __name__ == "__main__":
    app()
