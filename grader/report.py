"""Markdown rendering of a grading run (JSON is in ``results``; JUnit XML is pytest's own)."""

from __future__ import annotations

from pathlib import Path

from grader.results import Run

__all__ = ["to_markdown", "write_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(run: Run) -> str:
    lines = [
        "# RxVision25 grading report",
        "",
        f"- target: `{run.target}`",
        f"- created: {run.created}",
        f"- score: **{run.earned:g} / {run.points}** points",
        "",
    ]
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
    return "\n".join(lines)


def write_markdown(run: Run, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(run), encoding="utf-8")
    return path
