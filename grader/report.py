"""Markdown rendering of a grading run (JSON is in ``results``; JUnit XML is pytest's own).

The automated part (tests, points) comes first, one table per week; a mentor's rubric scores,
when the run carries them, follow in their own "Mentor rubric" section (a deliverable scored per
criterion of its published rubric gets one row per criterion under its total) and never change
the automated points.
"""

from __future__ import annotations

from pathlib import Path

from grader.results import MentorRubric, Run

__all__ = ["to_markdown", "write_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(run: Run) -> str:
    lines = [
        "# RxVision25 grading report",
        "",
        f"- target: `{run.target}`",
        f"- created: {run.created}",
        f"- score: **{run.earned:g} / {run.points}** points (automated tests)",
    ]
    if run.mentor is not None:
        lines.append(
            f"- mentor rubric: **{run.mentor.total:g} / {run.mentor.maximum:g}** "
            "(see Mentor rubric below)"
        )
    lines.append("")
    for week in sorted({r.week for r in run.results}):
        rows = [r for r in run.results if r.week == week]
        graded = [r for r in rows if not r.planned]
        earned = sum(r.earned for r in graded)
        total = sum(r.points for r in graded)
        lines += [
            f"## Week {week} — {earned:g} / {total} points",
            "",
            "| deliverable | day | state | points | tests passed | first problem |",
            "|---|---|---|---|---|---|",
        ]
        for r in rows:
            state = "coming" if r.planned else r.state
            points = "–" if r.planned else f"{r.earned:g} / {r.points}"
            counted = [t for t in r.tests if t.outcome != "skipped"]
            passed = f"{r.count('passed')} / {len(counted)}" if r.tests else "–"
            problem = r.first_problem
            detail = (
                _cell(f"{problem.nodeid.rsplit('::', 1)[-1]}: {problem.message}")
                if (problem)
                else ""
            )
            lines.append(
                f"| `{r.id}` {_cell(r.title)} | {r.day} | {state} | {points} | {passed} "
                f"| {detail} |"
            )
        lines.append("")
    if run.mentor is not None:
        lines += _mentor_section(run, run.mentor)
    return "\n".join(lines)


def _mentor_section(run: Run, mentor: MentorRubric) -> list[str]:
    titles = {r.id: r.title for r in run.results}
    who = mentor.mentor + (f" for {mentor.learner}" if mentor.learner else "")
    lines = [
        "## Mentor rubric",
        "",
        f"Scored by hand by {_cell(who)} on {mentor.date}; separate from the automated points.",
        "",
        "| deliverable | rubric score | comment |",
        "|---|---|---|",
    ]
    for score in mentor.scores:
        title = f" {_cell(titles[score.id])}" if score.id in titles else ""
        lines.append(
            f"| `{score.id}`{title} | {score.score:g} / {score.max:g} | {_cell(score.comment)} |"
        )
        lines += [
            f"| ↳ {_cell(c.name)} (`{c.id}`) | {c.score:g} / {c.max:g} | |" for c in score.criteria
        ]
    lines += [f"| total | {mentor.total:g} / {mentor.maximum:g} | |", ""]
    return lines


def write_markdown(run: Run, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(run), encoding="utf-8")
    return path
