"""Grading results: one test's outcome, a deliverable's state and points, a whole run.

These are plain data with a versioned JSON form (``SCHEMA``); the pytest plugin fills them, the
reports render them, the CLI reads them back. A run may also carry a mentor's rubric scores
(:class:`MentorRubric`, read by :mod:`grader.rubric`), kept apart from the automated points: in
JSON they are the optional ``mentor`` key, absent when no mentor scored the run.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from grader.manifest import Curriculum, Deliverable

__all__ = [
    "SCHEMA",
    "STATES",
    "CriterionScore",
    "DeliverableResult",
    "MentorRubric",
    "MentorScore",
    "Run",
    "TestOutcome",
    "summarise",
]

SCHEMA = "rxgrade.report/1"
# Display order and meaning of a deliverable's state.
STATES = ("passing", "failing", "not started", "skipped", "not run", "planned")
OUTCOMES = ("passed", "failed", "not started", "skipped")


@dataclass
class TestOutcome:
    nodeid: str
    outcome: str  # one of OUTCOMES
    duration: float = 0.0
    message: str = ""
    clauses: list[str] = field(default_factory=list)  # spec clauses it checks (stub's [#id])


@dataclass
class DeliverableResult:
    id: str
    week: int
    day: str
    title: str
    kind: str
    points: int
    planned: bool = False
    tests: list[TestOutcome] = field(default_factory=list)

    @classmethod
    def of(cls, deliverable: Deliverable) -> DeliverableResult:
        return cls(
            id=deliverable.id,
            week=deliverable.week,
            day=deliverable.day,
            title=deliverable.title,
            kind=deliverable.kind,
            points=deliverable.points,
            planned=deliverable.planned,
        )

    def count(self, outcome: str) -> int:
        return sum(t.outcome == outcome for t in self.tests)

    @property
    def state(self) -> str:
        if self.planned:
            return "planned"
        if not self.tests:
            return "not run"
        counted = [t for t in self.tests if t.outcome != "skipped"]
        if not counted:
            return "skipped"
        if all(t.outcome == "passed" for t in counted):
            return "passing"
        if self.count("passed") == 0 and self.count("not started"):
            return "not started"
        return "failing"

    @property
    def earned(self) -> float:
        """Points in proportion to the tests passed; skipped tests count neither way."""
        counted = [t for t in self.tests if t.outcome != "skipped"]
        if self.planned or not counted:
            return 0.0
        return round(self.points * self.count("passed") / len(counted), 2)

    @property
    def first_problem(self) -> TestOutcome | None:
        """The first test that did not pass (failing before not-started), for the summary."""
        for wanted in ("failed", "not started", "skipped"):
            for test in self.tests:
                if test.outcome == wanted:
                    return test
        return None

    def to_json(self) -> dict:
        data = asdict(self)
        data.update(state=self.state, earned=self.earned)
        return data


@dataclass
class CriterionScore:
    """A mentor's score of one published criterion of a deliverable's rubric."""

    id: str
    name: str
    score: float
    max: float


@dataclass
class MentorScore:
    """A mentor's score of one deliverable on its rubric: one overall score, or per criterion.

    When ``criteria`` is given, ``score`` and ``max`` are their sums.
    """

    id: str
    score: float
    max: float
    comment: str = ""
    criteria: list[CriterionScore] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict) -> MentorScore:
        criteria = [CriterionScore(**c) for c in data.get("criteria", [])]
        return cls(**{**data, "criteria": criteria})


@dataclass
class MentorRubric:
    """Rubric scores given by hand by a mentor (prose deliverables), separate from the tests."""

    mentor: str
    date: str
    scores: list[MentorScore] = field(default_factory=list)
    learner: str = ""
    source: str = ""  # the rubric file it was read from

    @property
    def total(self) -> float:
        return round(sum(s.score for s in self.scores), 2)

    @property
    def maximum(self) -> float:
        return round(sum(s.max for s in self.scores), 2)

    def to_json(self) -> dict:
        data = asdict(self)
        data.update(total=self.total, maximum=self.maximum)
        return data

    @classmethod
    def from_json(cls, data: dict) -> MentorRubric:
        return cls(
            mentor=data.get("mentor", ""),
            date=data.get("date", ""),
            scores=[MentorScore.from_json(s) for s in data.get("scores", [])],
            learner=data.get("learner", ""),
            source=data.get("source", ""),
        )


@dataclass
class Run:
    """One grading run: what was graded, against which target, with what outcome."""

    target: str
    results: list[DeliverableResult]
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    root: str = ""
    python: str = field(default_factory=platform.python_version)
    signature: str = ""
    mentor: MentorRubric | None = None
    mutants: dict[str, str] | None = None  # mutation checks: file -> "caught" | "survived"

    @property
    def points(self) -> int:
        return sum(r.points for r in self.results if not r.planned)

    @property
    def earned(self) -> float:
        return round(sum(r.earned for r in self.results), 2)

    def by_state(self, state: str) -> list[DeliverableResult]:
        return [r for r in self.results if r.state == state]

    def to_json(self) -> dict:
        data = {
            "schema": SCHEMA,
            "created": self.created,
            "target": self.target,
            "root": self.root,
            "python": self.python,
            "points": self.points,
            "earned": self.earned,
            "deliverables": [r.to_json() for r in self.results],
        }
        if self.mentor is not None:
            data["mentor"] = self.mentor.to_json()
        if self.mutants is not None:
            data["mutants"] = self.mutants
        data["signature"] = self.signature
        return data

    def write_json(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, data: dict) -> Run:
        if data.get("schema") != SCHEMA:
            raise ValueError(
                f"This report has schema {data.get('schema')!r}; this rxgrade reads {SCHEMA!r}"
            )
        results = []
        for raw in data["deliverables"]:
            tests = [TestOutcome(**t) for t in raw.pop("tests")]
            raw.pop("state", None)
            raw.pop("earned", None)
            results.append(DeliverableResult(**raw, tests=tests))
        return cls(
            target=data["target"],
            results=results,
            created=data["created"],
            root=data.get("root", ""),
            python=data.get("python", ""),
            signature=data.get("signature", ""),
            mentor=MentorRubric.from_json(data["mentor"]) if data.get("mentor") else None,
            mutants=data.get("mutants"),
        )

    @classmethod
    def read_json(cls, path: Path) -> Run:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def summarise(
    curriculum: Curriculum,
    outcomes: dict[str, list[TestOutcome]],
    target: str,
    weeks: set[int] | None = None,
) -> Run:
    """Fold test outcomes (by deliverable id) into a run covering ``weeks`` (default: all)."""
    results = []
    for deliverable in curriculum:
        if weeks is not None and deliverable.week not in weeks:
            continue
        result = DeliverableResult.of(deliverable)
        result.tests = list(outcomes.get(deliverable.id, []))
        results.append(result)
    return Run(target=target, results=results, root=str(curriculum.root))
