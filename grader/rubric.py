"""Mentor rubric scores: read and validate a rubric file, attach it to a grading run.

The tests grade what a machine can check; a mentor scores the rest (clarity, judgement, depth of
a written deliverable) on a rubric and records it in a TOML file, by default
``mentor-rubric.toml``::

    mentor = "Dr. Ada Lovelace"
    date = 2025-03-14            # a TOML date, or a "YYYY-MM-DD" string
    learner = "sam"              # optional

    [week6.star_stories]
    score = 4
    max = 5                      # optional, default 5
    comment = "Strong Actions; story 6's Result needs a number."

    [week6.interview_strategy]
    score = 3
    comment = "The negotiation script is good; targets need sharper reasons."

    [week1.efficientnet_blog]    # per criterion, on the deliverable's published rubric
    scores = { accuracy = 5, clarity = 4, evidence = 3, engagement = 4 }
    comment = "Accurate; the measured numbers need their setup."

Every table is the id of a curriculum entry (``[week6.star_stories]``, or quoted:
``["week6.star_stories"]``). An entry has either one overall ``score`` (out of ``max``, default 5)
or ``scores``, one per criterion of the deliverable's published rubric (the ``[[mentor_rubric]]``
of its entry file, shown by ``rxgrade rubric ID`` and on its roadmap page): every criterion
scored, each from 0 to its top level, and the entry's score is their sum. :func:`load` reports
every problem at once (unknown ids with the closest valid ones, unknown criteria with the valid
ones, a score above its maximum, a missing mentor name, unknown fields) in a
:class:`RubricError`. ``rxgrade report --rubric FILE`` attaches the scores to the report: the
JSON gains an optional ``mentor`` block and the Markdown a "Mentor rubric" section, both separate
from the automated points.
"""

from __future__ import annotations

import difflib
import tomllib
from datetime import date, datetime
from pathlib import Path

from grader.manifest import Curriculum, Deliverable
from grader.results import CriterionScore, MentorRubric, MentorScore, Run

__all__ = [
    "DEFAULT_FILE",
    "DEFAULT_MAX",
    "RubricError",
    "attach",
    "describe",
    "load",
    "parse",
    "template",
]

DEFAULT_FILE = "mentor-rubric.toml"
DEFAULT_MAX = 5
_TOP = ("mentor", "date", "learner")
_ENTRY = ("score", "max", "comment", "scores")


class RubricError(ValueError):
    """The rubric file is invalid; the message lists every problem, one per line."""


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _entries(data: dict, problems: list[str]) -> dict[str, dict]:
    """Flatten ``{week6: {star_stories: {...}}}`` and ``{"week6.star_stories": {...}}`` by id."""
    found: dict[str, dict] = {}
    for key, value in data.items():
        if key in _TOP:
            continue
        if not isinstance(value, dict):
            problems.append(
                f"unknown field {key!r} (top-level fields are {', '.join(_TOP)}; scores go in "
                "tables like [week6.star_stories])"
            )
        elif "score" in value or "scores" in value or "." in key:
            found[key] = value
        else:
            for name, entry in value.items():
                if isinstance(entry, dict):
                    found[f"{key}.{name}"] = entry
                else:
                    problems.append(f"[{key}]: {name!r} should be a table like [{key}.{name}]")
    return found


def _date(value: object, problems: list[str]) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    problems.append(f"date must be a date like 2025-03-14, got {value!r}")
    return ""


def parse(data: dict, curriculum: Curriculum, *, source: str = "") -> MentorRubric:
    """Validate parsed TOML ``data`` against ``curriculum``.

    Raises:
        RubricError: listing every problem found.
    """
    problems: list[str] = []
    mentor = data.get("mentor")
    if not isinstance(mentor, str) or not mentor.strip():
        problems.append('name the mentor: mentor = "Your Name"')
        mentor = ""
    when = _date(data["date"], problems) if "date" in data else ""
    if "date" not in data:
        problems.append("add the date of the review: date = 2025-03-14")
    learner = data.get("learner", "")
    if not isinstance(learner, str):
        problems.append(f"learner must be a string, got {learner!r}")
        learner = ""
    entries = _entries(data, problems)
    if not entries and not problems:
        problems.append("no scores: add a table per deliverable, e.g. [week6.star_stories]")
    known = [d.id for d in curriculum]
    scores = []
    for deliverable_id, entry in entries.items():
        where = f"[{deliverable_id}]"
        if deliverable_id not in curriculum:
            close = difflib.get_close_matches(deliverable_id, known, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(f"{where}: no such deliverable in curriculum.toml{hint}")
            continue
        if curriculum[deliverable_id].planned:
            problems.append(f"{where}: this deliverable is planned (not gradable yet)")
        if unknown := sorted(set(entry) - set(_ENTRY)):
            problems.append(
                f"{where}: unknown field(s) {', '.join(unknown)} (use score, max, comment, or "
                "scores for one score per criterion)"
            )
        if "scores" in entry:
            scored = _criteria(curriculum[deliverable_id], entry, where, problems)
            if scored is not None:
                comment = entry.get("comment", "")
                if not isinstance(comment, str):
                    problems.append(f"{where}: comment must be a string")
                    comment = str(comment)
                scores.append(
                    MentorScore(
                        deliverable_id,
                        round(sum(c.score for c in scored), 2),
                        round(sum(c.max for c in scored), 2),
                        comment.strip(),
                        scored,
                    )
                )
            continue
        score, maximum = entry.get("score"), entry.get("max", DEFAULT_MAX)
        comment = entry.get("comment", "")
        if not _number(maximum) or maximum <= 0:
            problems.append(f"{where}: max must be a positive number, got {maximum!r}")
            continue
        if score is None:
            problems.append(f"{where}: missing score (0 to {maximum:g})")
            continue
        if not _number(score):
            problems.append(f"{where}: score must be a number, got {score!r}")
            continue
        if not 0 <= score <= maximum:
            problems.append(
                f"{where}: score {score:g} is outside 0..{maximum:g} (max = {maximum:g})"
            )
            continue
        if not isinstance(comment, str):
            problems.append(f"{where}: comment must be a string")
            comment = str(comment)
        scores.append(MentorScore(deliverable_id, float(score), float(maximum), comment.strip()))
    if problems:
        origin = f"{source}: " if source else ""
        raise RubricError(
            f"{origin}{len(problems)} problem(s) in the rubric:\n"
            + "\n".join(f"- {p}" for p in problems)
        )
    order = {deliverable_id: i for i, deliverable_id in enumerate(known)}
    scores.sort(key=lambda s: order[s.id])
    return MentorRubric(
        mentor=mentor.strip(), date=when, scores=scores, learner=learner.strip(), source=source
    )


def _criteria(
    deliverable: Deliverable, entry: dict, where: str, problems: list[str]
) -> list[CriterionScore] | None:
    """Per-criterion ``scores = { id = n, ... }`` checked against the published criteria."""
    published = deliverable.mentor_rubric
    if not published:
        problems.append(
            f"{where}: this deliverable publishes no rubric criteria; give one overall score "
            "(score = 4) instead of scores"
        )
        return None
    if "score" in entry or "max" in entry:
        problems.append(
            f"{where}: give either one overall score (score, max) or per-criterion scores "
            "(scores = { ... }), not both; with scores the total is their sum"
        )
        return None
    given = entry["scores"]
    valid = ", ".join(c.id for c in published)
    if not isinstance(given, dict):
        problems.append(
            f"{where}: scores must be a table of criterion = score, e.g. "
            f"scores = {{ {published[0].id} = {published[0].max} }}; criteria: {valid}"
        )
        return None
    ok = True
    by_id = {c.id: c for c in published}
    for cid in given:
        if cid not in by_id:
            close = difflib.get_close_matches(cid, list(by_id), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(
                f"{where}: no criterion {cid!r}{hint}; the published criteria of "
                f"{deliverable.id} are: {valid}"
            )
            ok = False
    if missing := [c.id for c in published if c.id not in given]:
        problems.append(
            f"{where}: score every criterion; missing {', '.join(missing)} "
            f"(criteria: {valid}; `rxgrade rubric {deliverable.id}` shows them)"
        )
        ok = False
    scored = []
    for criterion in published:
        value = given.get(criterion.id)
        if value is None:
            continue
        if not _number(value):
            problems.append(f"{where}: {criterion.id} must be a number, got {value!r}")
            ok = False
        elif not 0 <= value <= criterion.max:
            problems.append(
                f"{where}: {criterion.id} = {value:g} is outside 0..{criterion.max} "
                f"(the levels of {criterion.name!r} go up to {criterion.max})"
            )
            ok = False
        else:
            scored.append(
                CriterionScore(criterion.id, criterion.name, float(value), float(criterion.max))
            )
    return scored if ok else None


def describe(deliverable: Deliverable) -> str:
    """The published rubric of ``deliverable`` as plain text (for ``rxgrade rubric``)."""
    head = f"{deliverable.id}: {deliverable.title}"
    if not deliverable.mentor_rubric:
        return f"{head}\n  No mentor rubric is published for this deliverable: its tests grade it."
    top = sum(c.max for c in deliverable.mentor_rubric)
    lines = [head, f"  Mentor rubric: {len(deliverable.mentor_rubric)} criteria, 0 to {top} in all"]
    for criterion in deliverable.mentor_rubric:
        lines += [
            "",
            f"  {criterion.id}: {criterion.name} (0-{criterion.max})",
            f"    looks for: {criterion.looks_for}",
        ]
        lines += [f"    {level}: {text}" for level, text in criterion.levels]
    return "\n".join(lines)


def template(deliverables: list[Deliverable], mentor: str = "Your Name") -> str:
    """A mentor scores file to fill in: one table per deliverable, per criterion if published."""
    lines = [
        f'mentor = "{mentor}"',
        f"date = {date.today().isoformat()}",
        '# learner = "their name"',
    ]
    for deliverable in deliverables:
        lines += ["", f"[{deliverable.id}]"]
        if deliverable.mentor_rubric:
            ranges = ", ".join(f"{c.id} 0-{c.max}" for c in deliverable.mentor_rubric)
            lines += [
                f"# {ranges}",
                "scores = { " + ", ".join(f"{c.id} = 0" for c in deliverable.mentor_rubric) + " }",
            ]
        else:
            lines.append(f"score = 0  # out of max = {DEFAULT_MAX}")
        lines.append('comment = ""')
    return "\n".join(lines) + "\n"


def load(path: Path, curriculum: Curriculum) -> MentorRubric:
    """Read and validate the rubric file at ``path``.

    Raises:
        RubricError: the file is missing, is not valid TOML, or fails validation.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RubricError(f"{path}: no such rubric file") from None
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: not valid TOML: {exc}") from None
    return parse(data, curriculum, source=str(path))


def attach(run: Run, rubric: MentorRubric) -> Run:
    """Put the mentor's scores on ``run`` (kept apart from its automated points); returns it."""
    run.mentor = rubric
    return run
