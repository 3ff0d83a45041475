"""Mock interviews: the timed sessions of ``rxgrade mock`` and the learner's mock interview log.

A session has up to three parts, drawn at random (reproducibly, with a seed):

1. **coding**: one week-6 drill (a ``code`` entry with a difficulty and a time box), graded at
   once by running its tests on the learner's stub;
2. **design**: one system design prompt, the three of week 6 Monday or, with ``fresh=True``, a
   prompt the learner has not practised (for ``week6.mock_system_design``);
3. **behavioural**: one question of :data:`BEHAVIOURAL_QUESTIONS`, answered in STAR form.

The prompts and questions are course data, read on first use from the ``[data]`` tables of the
exercises they belong to (:func:`grader.manifest.entry_data`): each Monday prompt from its
``curriculum/week6/design_<name>.toml``, the fresh prompts from ``mock_system_design.toml`` and
the behavioural question bank (:data:`QUESTION_BANK`) from ``capstone_behavioral.toml``.

Each part is shown with its prompt and time box and timed with an injectable clock. Interactive
sessions wait for Enter before and after each part, and the design and behavioural answers are
written to files in the session's folder; non-interactive sessions read them from a directory
(``design.md``, ``behavioural.md``). Every session is appended to
``.rxgrade/mock-sessions.jsonl`` (see :func:`grader.state.state_dir`).

The second half of the module parses the learner's written log of mock interviews
(``week6.mock_interview_log``), which ``week6.feedback_tracker`` also reads.
"""

from __future__ import annotations

import json
import random
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from grader import manifest, star, written
from grader.manifest import Curriculum, Deliverable
from grader.runner import run_pytest
from grader.state import state_dir

__all__ = [
    "ANSWER_FILES",
    "BEHAVIOURAL_QUESTIONS",
    "BEHAVIOURAL_TIMEBOX",
    "DESIGN_PROMPTS",
    "DIMENSIONS",
    "FORMATS",
    "FRESH_DESIGN_PROMPTS",
    "GAP_ID",
    "PART_KINDS",
    "QUESTION_BANK",
    "BehaviouralQuestion",
    "DesignPrompt",
    "LoggedMock",
    "MockError",
    "Part",
    "PartRecord",
    "Session",
    "SessionPlan",
    "canonical",
    "coding_drills",
    "format_seconds",
    "gap_text",
    "grade_coding",
    "history",
    "now",
    "parse_mock_log",
    "plan_session",
    "record",
    "run_session",
    "sessions_path",
    "summary_table",
]

PART_KINDS = ("coding", "design", "behavioural")
BEHAVIOURAL_TIMEBOX = 10  # minutes: think, then tell one STAR story of about two minutes
DESIGN_TIMEBOX = 45
MOCK_DESIGN_ID = "week6.mock_system_design"  # its time box applies to fresh prompts
#: Answer file names read from ``--answers DIR`` (first existing spelling wins).
ANSWER_FILES = {"design": ("design.md",), "behavioural": ("behavioural.md", "behavioral.md")}


class MockError(ValueError):
    """A session cannot be planned or run; the message says what to change."""


@dataclass(frozen=True)
class DesignPrompt:
    """A system design prompt; ``id`` is a manifest id for the Monday designs."""

    id: str
    prompt: str
    fresh: bool = False


@dataclass(frozen=True)
class BehaviouralQuestion:
    """A behavioural question and the competencies it probes (see :data:`star.COMPETENCIES`)."""

    id: str
    question: str
    themes: tuple[str, ...]


# -- the question banks: course data of the entry files -------------------------------------------
#: The Monday designs (each entry file's ``[data]`` has its ``prompt``), in roadmap order.
_MONDAY_DESIGNS = (
    "week6.design_image_classification",
    "week6.design_recommendation",
    "week6.design_realtime_pipeline",
)
#: The entry whose ``[data]`` holds the behavioural question bank (``[[data.questions]]``).
_QUESTIONS_ID = "week6.capstone_behavioral"

if TYPE_CHECKING:
    #: The Monday design prompts, one per design entry (its ``[data] prompt``).
    DESIGN_PROMPTS: tuple[DesignPrompt, ...]
    #: Prompts the learner has not practised: ``[[data.fresh_prompts]]`` of
    #: ``week6.mock_system_design``, the exercise that answers one.
    FRESH_DESIGN_PROMPTS: tuple[DesignPrompt, ...]
    #: The questions of mock sessions: those of :data:`QUESTION_BANK` marked ``mock = true``.
    BEHAVIOURAL_QUESTIONS: tuple[BehaviouralQuestion, ...]
    #: The 30 common behavioural questions of ``week6.capstone_behavioral``: the mock-session
    #: questions plus 14 more. Themes are competencies of :data:`grader.star.COMPETENCIES` or
    #: "technical leadership", "conflict resolution" and "innovation".
    QUESTION_BANK: tuple[BehaviouralQuestion, ...]


def _data(deliverable_id: str, key: str) -> Any:
    """``[data] key`` of an entry file of the course this grader belongs to."""
    curriculum = manifest.load(manifest.find_root(Path(__file__).resolve().parent))
    data = manifest.entry_data(curriculum, deliverable_id)
    if key not in data:
        raise manifest.ManifestError(
            f"{curriculum[deliverable_id].entry}: [data] has no {key!r} (read by grader.mock)"
        )
    return data[key]


@cache
def _design_prompts() -> tuple[DesignPrompt, ...]:
    return tuple(DesignPrompt(entry, str(_data(entry, "prompt"))) for entry in _MONDAY_DESIGNS)


@cache
def _fresh_design_prompts() -> tuple[DesignPrompt, ...]:
    return tuple(
        DesignPrompt(p["id"], p["prompt"], fresh=True)
        for p in _data(MOCK_DESIGN_ID, "fresh_prompts")
    )


@cache
def _questions() -> tuple[tuple[BehaviouralQuestion, bool], ...]:
    """Every question of the bank, in file order, with whether mock sessions ask it."""
    return tuple(
        (BehaviouralQuestion(q["id"], q["question"], tuple(q["themes"])), bool(q.get("mock")))
        for q in _data(_QUESTIONS_ID, "questions")
    )


@cache
def _question_bank() -> tuple[BehaviouralQuestion, ...]:
    return tuple(question for question, _ in _questions())


@cache
def _behavioural_questions() -> tuple[BehaviouralQuestion, ...]:
    return tuple(question for question, asked in _questions() if asked)


_LAZY: dict[str, Callable[[], tuple]] = {
    "DESIGN_PROMPTS": _design_prompts,
    "FRESH_DESIGN_PROMPTS": _fresh_design_prompts,
    "BEHAVIOURAL_QUESTIONS": _behavioural_questions,
    "QUESTION_BANK": _question_bank,
}


def __getattr__(name: str) -> object:
    """The question banks, read from the course data on first use (see :data:`QUESTION_BANK`)."""
    if name in _LAZY:
        return _LAZY[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- planning ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One part of a session: what to show, and for how long."""

    kind: str  # one of PART_KINDS
    id: str  # manifest id (coding, Monday designs), design prompt id, or question id
    title: str
    prompt: str
    timebox: int  # minutes
    module: str = ""  # coding: the stub to edit
    tests: str = ""  # coding: its test file
    themes: tuple[str, ...] = ()  # behavioural: competencies probed


@dataclass(frozen=True)
class SessionPlan:
    seed: int
    difficulty: str | None
    parts: tuple[Part, ...]


def coding_drills(
    curriculum: Curriculum, *, difficulty: str | None = None, week: int = 6
) -> list[Deliverable]:
    """Ready ``code`` drills of ``week`` with a difficulty and a time box (and a test file)."""
    try:
        entries = curriculum.week(week).deliverables
    except KeyError:
        return []
    return [
        d
        for d in entries
        if d.kind == "code"
        and not d.planned
        and d.difficulty
        and d.timebox > 0
        and (difficulty is None or d.difficulty == difficulty)
        and (curriculum.root / d.tests).is_file()
    ]


def plan_session(
    curriculum: Curriculum,
    *,
    seed: int | None = None,
    difficulty: str | None = None,
    parts: Sequence[str] = PART_KINDS,
    fresh_design: bool = False,
    theme: str | None = None,
) -> SessionPlan:
    """Draw a session: a coding drill, a design prompt and a behavioural question.

    The three draws always happen in this order from ``random.Random(seed)``, so a seed gives the
    same drill, prompt and question whichever ``parts`` are kept.

    Raises:
        MockError: unknown part or theme, or no drill matches ``difficulty``.
    """
    unknown = [p for p in parts if p not in PART_KINDS]
    if unknown or not parts:
        raise MockError(f"parts must be some of {', '.join(PART_KINDS)}; got {list(parts)}")
    seed = secrets.randbelow(1_000_000) if seed is None else seed
    rng = random.Random(seed)
    drills = coding_drills(curriculum, difficulty=difficulty)
    if "coding" in parts and not drills:
        which = f" with difficulty {difficulty!r}" if difficulty else ""
        raise MockError(f"no ready week 6 coding drill{which} has a time box and a test file")
    questions = _behavioural_questions()
    if theme is not None:
        wanted = star.competencies_of(theme) or (theme.lower(),)
        questions = tuple(q for q in questions if set(wanted) & set(q.themes))
        if not questions:
            themes = sorted({t for q in _behavioural_questions() for t in q.themes})
            raise MockError(f"no behavioural question on {theme!r}; themes: {', '.join(themes)}")
    drill = rng.choice(drills) if drills else None
    design = rng.choice(_fresh_design_prompts() if fresh_design else _design_prompts())
    question = rng.choice(questions)
    chosen: list[Part] = []
    for kind in PART_KINDS:
        if kind not in parts:
            continue
        if kind == "coding" and drill is not None:
            chosen.append(
                Part(
                    kind="coding",
                    id=drill.id,
                    title=drill.title,
                    prompt=drill.summary or drill.title,
                    timebox=drill.timebox,
                    module=drill.module,
                    tests=drill.tests,
                )
            )
        elif kind == "design":
            entry_id = MOCK_DESIGN_ID if design.fresh else design.id
            entry = next((d for d in curriculum if d.id == entry_id), None)
            timebox = (entry.timebox if entry else 0) or DESIGN_TIMEBOX
            if design.fresh:
                title = "Fresh system design"
            else:
                title = entry.title if entry else "System design"
            chosen.append(Part("design", design.id, title, design.prompt, timebox))
        elif kind == "behavioural":
            chosen.append(
                Part(
                    "behavioural",
                    question.id,
                    "Behavioural question",
                    question.question,
                    BEHAVIOURAL_TIMEBOX,
                    themes=question.themes,
                )
            )
    return SessionPlan(seed=seed, difficulty=difficulty, parts=tuple(chosen))


# -- running and recording -----------------------------------------------------------------------
@dataclass
class PartRecord:
    """What happened in one part: time used, the answer's file, the coding grade."""

    kind: str
    id: str
    title: str
    timebox: int
    seconds: float
    over_time: bool
    answer: str = ""
    words: int = 0
    result: dict | None = None


@dataclass
class Session:
    """One recorded mock interview (a line of ``mock-sessions.jsonl``)."""

    id: str
    started: str
    seed: int
    difficulty: str | None
    target: str
    mode: str  # "interactive" or "answers"
    parts: list[PartRecord] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return round(sum(p.seconds for p in self.parts), 3)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Session:
        data = dict(data)
        parts = [PartRecord(**p) for p in data.pop("parts", [])]
        return cls(**data, parts=parts)


def now() -> float:
    """The session clock (monotonic seconds); tests replace it with a fake."""
    return time.monotonic()


def format_seconds(seconds: float) -> str:
    """``mm:ss`` (or ``h:mm:ss``) for a duration."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def sessions_path(root: Path) -> Path:
    """Where sessions are recorded: ``<state dir>/mock-sessions.jsonl``."""
    return state_dir(root) / "mock-sessions.jsonl"


def record(session: Session, root: Path) -> Path:
    """Append ``session`` to the learner's history; returns the file."""
    path = sessions_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(session.to_json()) + "\n")
    return path


def history(root: Path) -> list[Session]:
    """Every recorded session, oldest first (unreadable lines are skipped)."""
    path = sessions_path(root)
    if not path.exists():
        return []
    sessions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            sessions.append(Session.from_json(json.loads(line)))
        except (json.JSONDecodeError, TypeError):
            continue
    return sessions


def grade_coding(curriculum: Curriculum, part: Part, target: str) -> dict:
    """Run the drill's tests on ``target`` and summarise its result (state, tests, points)."""
    deliverable = curriculum[part.id]
    outcome = run_pytest(
        curriculum.root, [part.tests], target=target, timeout=max(60.0, 10 * deliverable.timeout)
    )
    result = None
    if outcome.run is not None:
        result = next((r for r in outcome.run.results if r.id == part.id), None)
    if result is None:
        tail = " ".join(outcome.output.strip().splitlines()[-3:])[-300:]
        return {
            "state": "error",
            "passed": 0,
            "total": 0,
            "earned": 0.0,
            "points": 0,
            "detail": tail,
        }
    problem = result.first_problem
    counted = [t for t in result.tests if t.outcome != "skipped"]
    return {
        "state": result.state,
        "passed": result.count("passed"),
        "total": len(counted),
        "earned": result.earned,
        "points": result.points,
        "detail": f"{problem.nodeid.rsplit('::', 1)[-1]}: {problem.message}" if problem else "",
    }


def _answer_template(part: Part) -> str:
    themes = f"\nThemes: {', '.join(part.themes)}." if part.themes else ""
    guide = (
        "Answer in STAR form: Situation, Task, Action (I, not we), Result (a number)."
        if part.kind == "behavioural"
        else "Follow your Monday template: requirements, estimates, API, architecture (a Mermaid "
        "diagram), data, model, serving, evaluation, monitoring, trade-offs."
    )
    return (
        f"# {part.title}\n\n<!--\n{part.prompt}{themes}\n\n"
        f"Time box: {part.timebox} min. {guide}\n-->\n\n"
    )


def _answer_file(part: Part, answers: Path) -> Path:
    for name in ANSWER_FILES[part.kind]:
        if (answers / name).is_file():
            return answers / name
    return answers / ANSWER_FILES[part.kind][0]


def _panel(part: Part, number: int, total: int, answer: Path | None) -> Panel:
    lines = [part.prompt, ""]
    if part.kind == "coding":
        lines += [
            f"edit  {part.module}",
            f"tests {part.tests}  (graded when you finish this part)",
        ]
    elif part.themes:
        lines.append(f"themes: {', '.join(part.themes)}")
    if answer is not None and part.kind != "coding":
        lines.append(f"answer in {answer}")
    return Panel(
        "\n".join(lines).rstrip(),
        title=f"Part {number}/{total} · {part.kind} · {part.title}",
        subtitle=f"time box {part.timebox} min",
        title_align="left",
        subtitle_align="right",
    )


def run_session(
    plan: SessionPlan,
    curriculum: Curriculum,
    *,
    target: str = "learner",
    answers: Path | None = None,
    console: Console | None = None,
    wait: Callable[[str], object] | None = None,
    clock: Callable[[], float] | None = None,
    grade: Callable[[Curriculum, Part, str], dict] | None = None,
) -> Session:
    """Run a planned session, grade its coding part, record it, and return it.

    Args:
        plan: from :func:`plan_session`.
        curriculum: the course (its root holds the drills; its state dir gets the record).
        target: ``learner`` or ``solution`` for the coding part.
        answers: non-interactive mode: read ``design.md`` and ``behavioural.md`` from this
            directory. ``None`` is interactive: answer files are created in the session's folder
            and ``wait`` is called before and after each part.
        console: where to show the parts (default: a new Rich console).
        wait: blocks until the learner is ready (interactive mode; default: wait for Enter).
        clock: seconds, monotonic (default: :func:`now`).
        grade: grades the coding part (default: :func:`grade_coding`).

    Raises:
        MockError: in non-interactive mode, an answer file is missing.
    """
    console = console or Console(highlight=False)
    clock = clock or now
    grade = grade or grade_coding
    started = datetime.now(UTC)
    session = Session(
        id=f"{started:%Y%m%d-%H%M%S}-{plan.seed}",
        started=started.isoformat(timespec="seconds"),
        seed=plan.seed,
        difficulty=plan.difficulty,
        target=target,
        mode="interactive" if answers is None else "answers",
    )
    files: dict[str, Path] = {}
    if answers is not None:
        for part in plan.parts:
            if part.kind in ANSWER_FILES:
                files[part.kind] = _answer_file(part, answers)
                if not files[part.kind].is_file():
                    raise MockError(
                        f"{files[part.kind]} is missing: write your {part.kind} answer there "
                        "(or run without --answers for an interactive session)"
                    )
    else:
        wait = wait or (lambda message: console.input(f"[dim]{message}[/dim] "))
        folder = state_dir(curriculum.root) / "mock" / session.id
        for part in plan.parts:
            if part.kind in ANSWER_FILES:
                folder.mkdir(parents=True, exist_ok=True)
                files[part.kind] = folder / ANSWER_FILES[part.kind][0]
                files[part.kind].write_text(_answer_template(part), encoding="utf-8")
    console.print(
        f"[bold]Mock interview[/bold] {session.id} · seed {plan.seed} · "
        f"{sum(p.timebox for p in plan.parts)} min in {len(plan.parts)} part(s)"
    )
    for number, part in enumerate(plan.parts, 1):
        answer = files.get(part.kind)
        console.print(_panel(part, number, len(plan.parts), answer))
        if wait is not None:
            wait("Press Enter to start the clock…")
        start = clock()
        if wait is not None:
            wait(f"Working ({part.timebox} min). Press Enter when you are done…")
        seconds = round(max(0.0, clock() - start), 3)
        over = seconds > part.timebox * 60
        item = PartRecord(part.kind, part.id, part.title, part.timebox, seconds, over)
        if answer is not None:
            item.answer = str(answer)
            item.words = written.words(answer.read_text(encoding="utf-8"))
        clock_text = f"{format_seconds(seconds)} of {part.timebox} min"
        status = "[red]over time[/red]" if over else "[green]in time[/green]"
        console.print(f"  {part.kind}: {clock_text}, {status}")
        if part.kind == "coding":
            with console.status(f"Grading {part.id}…"):
                item.result = grade(curriculum, part, target)
            result = item.result
            console.print(
                f"  {part.id}: [bold]{result['state']}[/bold], {result['passed']}/"
                f"{result['total']} tests, {result['earned']:g}/{result['points']} points"
                + (f"\n  first problem: {result['detail']}" if result.get("detail") else "")
            )
        elif answer is not None:
            console.print(f"  answer: {answer} ({item.words} words)")
        session.parts.append(item)
    path = record(session, curriculum.root)
    console.print(summary_table(session))
    console.print(f"Recorded in {path}")
    return session


def summary_table(session: Session) -> Table:
    """One row per part: item, time box, time used, and the coding grade or the answer."""
    table = Table(title=f"Mock interview {session.id}", title_justify="left")
    for column in ("part", "item", "time box", "used", "outcome"):
        table.add_column(column, overflow="fold")
    for part in session.parts:
        if part.result is not None:
            outcome = (
                f"{part.result['state']} ({part.result['passed']}/{part.result['total']} tests)"
            )
        else:
            outcome = f"{part.words} words"
        used = format_seconds(part.seconds) + (" (over)" if part.over_time else "")
        table.add_row(part.kind, part.id, f"{part.timebox} min", used, outcome)
    return table


# -- the learner's mock interview log --------------------------------------------------------------
#: Interview format -> accepted spellings (substring match, lower case).
FORMATS: dict[str, tuple[str, ...]] = {
    "technical deep dive": ("deep dive", "deep-dive", "deepdive"),
    "system design": ("system design", "design"),
    "coding": ("coding", "code", "algorithm"),
    "behavioural": ("behavioural", "behavioral", "culture"),
}
#: The fixed rubric dimensions, scored 1-4 -> accepted spellings.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "communication": ("communication",),
    "problem solving": ("problem solving", "problem-solving"),
    "technical depth": ("technical depth", "depth"),
    "trade-offs": ("trade-offs", "tradeoffs", "trade offs", "trade-off"),
}
GAP_ID = re.compile(r"\bG\d+\b")
_FIELD = re.compile(
    r"^\s*[-*+]?\s*(?:\*\*|__)?(?P<key>date|format|interviewer|duration|prompt|session)"
    r"(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<value>.+?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_TIMESTAMP = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+`?(?:(\d{1,2}):)?(\d{1,2}):(\d{2})`?\b", re.M)
_LOG_PARTS = {
    "outline": ("outline", "timeline", "what happened"),
    "scores": ("scores", "rubric", "score"),
    "gaps": ("gaps", "biggest gaps", "three biggest gaps"),
    "followup": ("earlier gaps", "follow-up", "follow up", "previous gaps"),
}


def canonical(text: str, spellings: dict[str, tuple[str, ...]]) -> str | None:
    """The key of ``spellings`` (e.g. :data:`FORMATS`) whose spelling occurs in ``text``."""
    lowered = text.strip().lower()
    for name, options in spellings.items():
        if any(option in lowered for option in options):
            return name
    return None


@dataclass(frozen=True)
class LoggedMock:
    """One mock interview of the learner's log (``## Mock N: ...``)."""

    number: int
    title: str
    fields: dict[str, str]
    format: str | None
    date: date | None
    duration: float | None  # minutes
    timestamps: tuple[int, ...]  # seconds, in outline order
    scores: dict[str, int | None]  # dimension -> score (None: not a whole number)
    gaps: dict[str, str]  # gap id -> text
    followups: tuple[str, ...]  # gap ids referenced under "Earlier gaps"
    evidence: dict[str, str] = field(default_factory=dict)  # dimension -> its Evidence cell
    followup_notes: dict[str, str] = field(default_factory=dict)  # gap id -> its line's text
    numbered: bool = False  # the heading gives its number: "Mock 3: ..."


def _date(text: str) -> date | None:
    match = re.search(r"\d{4}-\d{2}-\d{2}", text)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(0))
    except ValueError:
        return None


def _after_ids(line: str) -> str:
    """A gap or follow-up line without its list marker and gap ids: what it says."""
    return re.sub(r"^[\s\-*+\d.):;,]+", "", GAP_ID.sub(" ", line)).strip()


def gap_text(line: str) -> str:
    """The description of a gap line, ``"1. G4: coded silently"`` -> ``"coded silently"``."""
    return _after_ids(line)


def parse_mock_log(document: written.Document) -> list[LoggedMock]:
    """Every ``## Mock N: ...`` section of a mock interview log, in file order.

    Fields are bullet lines ``- Date: 2025-03-03``, ``- Format: system design``,
    ``- Interviewer: peer (Sam)``, ``- Duration: 45 min``, ``- Prompt: ...``; the parts are
    ``### Outline`` (bullets starting with ``mm:ss``), ``### Scores`` (a table: Dimension |
    Score | Evidence), ``### Gaps`` (three items, each with an id ``G1``, ``G2``, ...) and, from
    the second mock on, ``### Earlier gaps`` (the ids of earlier gaps you checked).
    """
    mocks = []
    for position, (heading, body) in enumerate(document.sections.items(), 1):
        match = re.match(r"^mock\b\s*(\d+)?", heading.strip(), re.IGNORECASE)
        if not match:
            continue
        head = re.split(r"^#{3,6}\s", body, maxsplit=1, flags=re.MULTILINE)[0]
        fields = {m["key"].lower(): m["value"] for m in _FIELD.finditer(head)}
        parts = star.split_parts(body, _LOG_PARTS)
        timestamps = tuple(
            int(h or 0) * 3600 + int(m) * 60 + int(s)
            for h, m, s in _TIMESTAMP.findall(parts.get("outline", ""))
        )
        scores: dict[str, int | None] = {}
        evidence: dict[str, str] = {}
        for row in star.table_rows(parts.get("scores", "")):
            cells = list(row.values())
            dimension = canonical(row.get("dimension", cells[0] if cells else ""), DIMENSIONS)
            if dimension is None:
                continue
            raw = row.get("score", cells[1] if len(cells) > 1 else "").strip()
            raw = raw.split("/")[0].strip()
            scores[dimension] = int(raw) if raw.isdigit() else None
            evidence[dimension] = row.get("evidence", cells[2] if len(cells) > 2 else "").strip()
        gaps: dict[str, str] = {}
        for line in parts.get("gaps", "").splitlines():
            ids = GAP_ID.findall(line)
            if ids:
                gaps.setdefault(ids[0], line.strip())
        notes: dict[str, str] = {}
        for line in parts.get("followup", "").splitlines():
            for gap in GAP_ID.findall(line):
                notes.setdefault(gap, _after_ids(line))
        duration = re.search(r"\d+(?:\.\d+)?", fields.get("duration", ""))
        mocks.append(
            LoggedMock(
                number=int(match.group(1)) if match.group(1) else position,
                title=heading,
                fields=fields,
                format=canonical(fields.get("format", ""), FORMATS),
                date=_date(fields.get("date", "")),
                duration=float(duration.group(0)) if duration else None,
                timestamps=timestamps,
                scores=scores,
                gaps=gaps,
                followups=tuple(dict.fromkeys(GAP_ID.findall(parts.get("followup", "")))),
                evidence=evidence,
                followup_notes=notes,
                numbered=match.group(1) is not None,
            )
        )
    return mocks
