"""Load the curriculum, the single source of truth of the course, into frozen dataclasses.

Two places, one truth:

- ``curriculum.toml`` is the ordered index (format :data:`FORMAT`): weeks, days, their study and
  hands-on text, and for each entry only ``{ id, status }``. Array order is roadmap order.
- ``curriculum/weekN/<name>.toml`` holds everything an author writes about one entry: title,
  kind, points, seed, summary, hints, its ``[[mutants]]`` (read by :mod:`grader.mutants`), an
  optional free-form ``[data]`` table of course content (read by :func:`entry_data`) and, for a
  deliverable a mentor scores by hand, its published ``[[mentor_rubric]]`` criteria
  (:attr:`Deliverable.mentor_rubric`, a tuple of :class:`Criterion`).

Docs, grader points, hints, progress reports and the "what's next" logic all read this module;
nothing else declares deliverables, and :meth:`Deliverable.paths` is the one place that says
where an exercise's files are.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = [
    "DAYS",
    "DIFFICULTIES",
    "ENTRIES_DIR",
    "FORMAT",
    "KINDS",
    "STATUSES",
    "TIERS",
    "Criterion",
    "Curriculum",
    "Day",
    "Deliverable",
    "Points",
    "ExercisePaths",
    "ManifestError",
    "Source",
    "Week",
    "entry_data",
    "find_root",
    "load",
]

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
KINDS = ("code", "notebook", "service", "written", "config", "capstone")
STATUSES = ("ready", "planned")
DIFFICULTIES = ("easy", "medium", "hard")
TIERS = ("core", "stretch")  # core: the day's plan; stretch: for learners with time left
MANIFEST = "curriculum.toml"
ENTRIES_DIR = "curriculum"
FORMAT = 2
_INDEX_FIELDS = ("id", "status")

_KIND_DIRS = {"notebook": ("notebooks", ".py"), "written": ("portfolio", ".md")}


class ManifestError(ValueError):
    """``curriculum.toml`` is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Source:
    """One of the documents the curriculum is built from (kept verbatim under ``sources/``)."""

    key: str
    title: str
    path: str


@dataclass(frozen=True)
class ExercisePaths:
    """Where one exercise's files are, relative to the repository root."""

    stub: str  # the learner's file (weeks/...)
    solution: str  # the reference (solutions/...)
    tests: str  # the official tests (weeks/weekN/tests/...)
    entry: str  # the author material: text, hints, mutants (curriculum/weekN/<name>.toml)

    def for_target(self, target: str) -> str:
        """The file under test for ``learner`` (the stub) or ``solution``."""
        return self.stub if target == "learner" else self.solution


@dataclass(frozen=True)
class Criterion:
    """One criterion of a deliverable's published mentor rubric (``[[mentor_rubric]]``).

    Not to be confused with the machine rubric some judges read from ``[data]`` (the sections and
    concepts of a design prompt): this one is what a mentor scores by hand, per criterion, with
    ``rxgrade report --rubric`` (:mod:`grader.rubric`).
    """

    id: str  # snake_case, unique within the deliverable: the key a mentor scores
    name: str  # short label, e.g. "STAR structure"
    looks_for: str  # what the mentor looks for, in a sentence or two
    levels: tuple[tuple[int, str], ...]  # (level, descriptor), ascending, e.g. 1, 3, 5

    @property
    def max(self) -> int:
        """The top level: a criterion is scored from 0 to this."""
        return self.levels[-1][0]


@dataclass(frozen=True)
class Deliverable:
    """One graded exercise: a deliverable or success-criteria line of a source document."""

    id: str
    title: str
    week: int
    day: str  # one of DAYS, or "criteria" for a week's success criteria
    kind: str
    points: int
    hints: tuple[str, ...]
    seed: str
    source: str
    status: str = "ready"
    services: tuple[str, ...] = ()
    module: str = ""
    tests: str = ""
    summary: str = ""
    timeout: float = 120.0
    difficulty: str = ""
    timebox: int = 0  # minutes; 0 means no time box
    minutes: int = 0  # estimated time to complete, for the day's budget; 0 means not estimated
    tier: str = "core"  # one of TIERS
    mentor_rubric: tuple[Criterion, ...] = ()  # published criteria a mentor scores by hand
    #: per hint, the clauses it is about (parallel to ``hints``; empty: the whole exercise)
    hint_clauses: tuple[tuple[str, ...], ...] = ()

    @property
    def name(self) -> str:
        """The part of the id after the week, e.g. ``efficientnet`` for ``week1.efficientnet``."""
        return self.id.split(".", 1)[1]

    @property
    def entry(self) -> str:
        """Path of the entry's author file (text, hints, mutants), relative to the root."""
        return f"{ENTRIES_DIR}/week{self.week}/{self.name}.toml"

    @property
    def paths(self) -> ExercisePaths:
        """Every file of this exercise (stub, solution, tests, author file)."""
        return ExercisePaths(self.module, self.solution, self.tests, self.entry)

    @property
    def planned(self) -> bool:
        return self.status == "planned"

    @property
    def solution(self) -> str:
        """Path of the reference solution, relative to the repository root."""
        return "solutions/" + self.module.split("/", 1)[1] if self.module else ""

    @property
    def is_python(self) -> bool:
        return self.module.endswith(".py") and self.kind != "notebook"

    def module_name(self, target: str) -> str:
        """Dotted import name of the stub (``learner``) or the solution (``solution``)."""
        if not self.is_python:
            raise ManifestError(f"{self.id}: a {self.kind} deliverable has no importable module")
        path = self.module if target == "learner" else self.solution
        return path.removesuffix(".py").replace("/", ".")

    def path_for(self, target: str) -> str:
        """The file under test for ``target``: the stub (``learner``) or the solution."""
        return self.paths.for_target(target)


@dataclass(frozen=True)
class Points:
    """The points of some entries: those of ready exercises (graded today) and of coming ones
    (planned: they count once they are built). The site and ``rxgrade status`` both use this."""

    ready: int
    coming: int

    @property
    def total(self) -> int:
        return self.ready + self.coming

    @classmethod
    def of(cls, deliverables: Iterable[Deliverable]) -> Points:
        ready = coming = 0
        for d in deliverables:
            if d.planned:
                coming += d.points
            else:
                ready += d.points
        return cls(ready, coming)


@dataclass(frozen=True)
class Day:
    name: str
    title: str
    hours: int
    study: tuple[str, ...]
    hands_on: tuple[str, ...]
    study_hours: int
    hands_on_hours: int
    deliverables: tuple[Deliverable, ...]

    def tier(self, tier: str) -> list[Deliverable]:
        """The day's entries of ``tier`` (``core`` or ``stretch``), in order."""
        return [d for d in self.deliverables if d.tier == tier]

    @property
    def core_minutes(self) -> int:
        """Estimated minutes of the day's core entries; they must fit :attr:`budget_minutes`."""
        return sum(d.minutes for d in self.tier("core"))

    @property
    def budget_minutes(self) -> int:
        """The day's hands-on time, in minutes."""
        return 60 * self.hands_on_hours


@dataclass(frozen=True)
class Week:
    number: int
    title: str
    hours: int
    objectives: tuple[str, ...]
    days: tuple[Day, ...]
    criteria: tuple[Deliverable, ...]
    summary: str = ""

    @property
    def slug(self) -> str:
        return f"week{self.number}"

    @property
    def deliverables(self) -> tuple[Deliverable, ...]:
        """Every graded entry of the week in roadmap order: days first, then success criteria."""
        return tuple(d for day in self.days for d in day.deliverables) + self.criteria


@dataclass(frozen=True)
class Curriculum:
    title: str
    root: Path
    sources: dict[str, Source]
    weeks: tuple[Week, ...]
    _index: dict[str, Deliverable] = field(default_factory=dict, repr=False, compare=False)

    def __iter__(self) -> Iterator[Deliverable]:
        for week in self.weeks:
            yield from week.deliverables

    def __getitem__(self, deliverable_id: str) -> Deliverable:
        try:
            return self._index[deliverable_id]
        except KeyError:
            known = ", ".join(sorted(self._index)[:8])
            raise KeyError(
                f"No deliverable {deliverable_id!r} in {MANIFEST} (ids look like: {known}, ...)"
            ) from None

    def __contains__(self, deliverable_id: object) -> bool:
        return deliverable_id in self._index

    def find(self, text: str) -> Deliverable:
        """The entry ``text`` names: its id (``week1.efficientnet``) or, when unique, its short
        name (``efficientnet``). Otherwise a KeyError that suggests the closest ids."""
        text = text.strip()
        if text in self._index:
            return self._index[text]
        named = [d for d in self._index.values() if d.name == text]
        if len(named) == 1:
            return named[0]
        if named:
            ids = ", ".join(d.id for d in named)
            raise KeyError(f"{text!r} is the name of {len(named)} entries ({ids}): give the id")
        names = {d.id: d.id for d in self._index.values()}
        names.update({d.name: d.id for d in self._index.values()})
        close = difflib.get_close_matches(text, list(names), n=3, cutoff=0.6)
        hint = (
            f"; did you mean {' or '.join(dict.fromkeys(names[c] for c in close))}?"
            if close
            else ""
        )
        raise KeyError(
            f"No exercise {text!r} in {MANIFEST}{hint} (ids look like week1.efficientnet; "
            "`rxgrade status` lists them)"
        )

    def week(self, which: int | str) -> Week:
        """A week by number (``1``) or slug (``"week1"``)."""
        number = int(str(which).removeprefix("week"))
        for week in self.weeks:
            if week.number == number:
                return week
        raise KeyError(f"No week {which!r}; the course has weeks 1-{len(self.weeks)}")

    def by_test_path(self, relpath: str) -> Deliverable | None:
        """The deliverable whose test file is ``relpath`` (POSIX, relative to the root)."""
        for deliverable in self:
            if deliverable.tests == relpath and not deliverable.planned:
                return deliverable
        return None

    def source_text(self, key: str) -> str:
        return (self.root / self.sources[key].path).read_text(encoding="utf-8")


def find_root(start: Path | None = None, *, installed: bool = True) -> Path:
    """The nearest directory at or above ``start`` (default: cwd) holding ``curriculum.toml``.

    Falls back to the checkout this package was installed from, unless ``installed`` is false
    (the pytest plugin stays inert in projects that are not a course).
    """
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / MANIFEST).is_file():
            return candidate
    checkout = Path(__file__).resolve().parents[1]
    if installed and (checkout / MANIFEST).is_file():
        return checkout
    raise FileNotFoundError(f"No {MANIFEST} found at or above {here}")


def _hints(raw: dict, where: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """``hints``: each a string, or a table ``{ text = "...", clauses = ["id", ...] }`` naming the
    stub's clauses it is about (then it is the hint shown while a test of those clauses fails).
    Returns the texts and, in parallel, each hint's clauses (empty: about the whole exercise)."""
    value = raw.get("hints", [])
    texts: list[str] = []
    clauses: list[tuple[str, ...]] = []
    shape = (
        f"{where}: each hint must be a string or a table "
        '{ text = "...", clauses = ["clause-id", ...] }'
    )
    if not isinstance(value, list):
        raise ManifestError(shape)
    for hint in value:
        if isinstance(hint, str):
            texts.append(hint)
            clauses.append(())
            continue
        if (
            not isinstance(hint, dict)
            or set(hint) != {"text", "clauses"}
            or not isinstance(hint["text"], str)
            or not isinstance(hint["clauses"], list)
            or not hint["clauses"]
            or not all(isinstance(c, str) for c in hint["clauses"])
        ):
            raise ManifestError(shape)
        texts.append(hint["text"])
        clauses.append(tuple(hint["clauses"]))
    return tuple(texts), tuple(clauses)


def _tuple(raw: dict, key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


_CRITERION_FIELDS = ("id", "name", "looks_for", "levels")


def _mentor_rubric(value: object, where: str) -> tuple[Criterion, ...]:
    """Validate ``[[mentor_rubric]]`` (an array of criteria tables) into :class:`Criterion` s."""
    if isinstance(value, tuple) and all(isinstance(c, Criterion) for c in value):
        return value
    example = (
        "[[mentor_rubric]] tables, each with id, name, looks_for and [mentor_rubric.levels] "
        '(e.g. 1 = "...", 3 = "...", 5 = "...")'
    )
    if not isinstance(value, list) or not value:
        raise ManifestError(f"{where}: mentor_rubric must be one or more {example}")
    criteria: list[Criterion] = []
    for number, raw in enumerate(value, 1):
        label = f"{where}: mentor_rubric criterion {number}"
        if not isinstance(raw, dict):
            raise ManifestError(f"{label}: must be a table; write {example}")
        if isinstance(raw.get("id"), str):
            label += f" ({raw['id']!r})"
        if missing := [k for k in _CRITERION_FIELDS if k not in raw]:
            raise ManifestError(f"{label}: missing {', '.join(missing)}")
        if unknown := sorted(set(raw) - set(_CRITERION_FIELDS)):
            raise ManifestError(
                f"{label}: unknown field(s) {', '.join(unknown)} "
                f"(a criterion has {', '.join(_CRITERION_FIELDS)})"
            )
        cid = raw["id"]
        if not isinstance(cid, str) or not cid.isidentifier() or cid != cid.lower():
            raise ManifestError(f"{label}: id must be a snake_case name, got {cid!r}")
        if any(c.id == cid for c in criteria):
            raise ManifestError(f"{label}: id {cid!r} is used twice; criterion ids are unique")
        for key in ("name", "looks_for"):
            if not isinstance(raw[key], str) or not raw[key].strip():
                raise ManifestError(f"{label}: {key} must be non-empty text")
        levels = raw["levels"]
        if not isinstance(levels, dict) or len(levels) < 2:
            raise ManifestError(
                f"{label}: levels must be a table of at least two levels, e.g. "
                '[mentor_rubric.levels] 1 = "...", 3 = "...", 5 = "..."'
            )
        parsed: list[tuple[int, str]] = []
        for key, text in levels.items():
            if not str(key).isdigit():
                raise ManifestError(f"{label}: level {key!r} must be a whole number (1, 3, 5 ...)")
            if not isinstance(text, str) or not text.strip():
                raise ManifestError(f"{label}: level {key} needs a non-empty descriptor")
            parsed.append((int(key), " ".join(text.split())))
        parsed.sort()
        if parsed[-1][0] <= 0:
            raise ManifestError(f"{label}: the top level must be above 0")
        criteria.append(
            Criterion(
                id=cid,
                name=" ".join(raw["name"].split()),
                looks_for=" ".join(raw["looks_for"].split()),
                levels=tuple(parsed),
            )
        )
    return tuple(criteria)


def _entry(index_raw: object, root: Path, week: int, day: str) -> dict:
    """An index entry ``{ id, status }`` merged with its file ``curriculum/weekN/<name>.toml``.

    Fields may also be written inline in the index (small courses, tests); a field given in both
    places is an error, so there is never a question which one wins.
    """
    if not isinstance(index_raw, dict) or "id" not in index_raw:
        raise ManifestError(f"{MANIFEST}: week {week}, {day}: each entry needs an `id`")
    did = index_raw["id"]
    name = str(did).split(".", 1)[-1]
    path = root / ENTRIES_DIR / f"week{week}" / f"{name}.toml"
    if not path.is_file():
        return dict(index_raw)
    try:
        with path.open("rb") as fh:
            body = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{path.relative_to(root)}: not valid TOML: {err}") from None
    body.pop("mutants", None)  # grader.mutants reads them
    body.pop("data", None)  # course content, read by entry_data()
    where = path.relative_to(root).as_posix()
    if "mentor_rubric" in body:
        body["mentor_rubric"] = _mentor_rubric(body["mentor_rubric"], where)
    if misplaced := sorted(set(body) & set(_INDEX_FIELDS)):
        raise ManifestError(
            f"{where}: {', '.join(misplaced)} belong(s) in {MANIFEST}, which orders the entries"
        )
    if both := sorted(set(body) & set(index_raw)):
        raise ManifestError(f"{where}: {', '.join(both)} also given in {MANIFEST}; keep one")
    return {**index_raw, **body}


def entry_data(curriculum: Curriculum, deliverable_id: str) -> dict:
    """The free-form ``[data]`` table of an entry's file ``curriculum/weekN/<name>.toml``.

    Course content that belongs to one exercise (a question bank, the rubric of a design prompt
    ...) lives there, beside the entry's text, hints and mutants, rather than in the grader's
    code; the modules that use it read it with this function. The table comes back as parsed:
    TOML tables are dicts (in file order), arrays are lists. It is read from the file on every
    call, so callers that need it often cache what they build from it.

    Returns:
        The ``[data]`` table; an empty dict when the entry has no file or its file no ``[data]``.

    Raises:
        KeyError: ``deliverable_id`` is not an entry of ``curriculum``.
        ManifestError: the entry file is not valid TOML, or its ``data`` is not a table.
    """
    deliverable = curriculum[deliverable_id]
    path = curriculum.root / deliverable.entry
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh).get("data", {})
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{deliverable.entry}: not valid TOML: {err}") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{deliverable.entry}: `data` must be a table (`[data]`)")
    return data


def _deliverable(raw: dict, week: int, day: str) -> Deliverable:
    where = f"{MANIFEST}: week {week}, {day}, entry {raw.get('id', '<no id>')!r}"
    required = ("id", "title", "kind", "points", "hints", "seed", "source")
    if missing := [key for key in required if key not in raw]:
        raise ManifestError(f"{where}: missing {', '.join(missing)}")
    known = set(Deliverable.__dataclass_fields__) - {"week", "day", "hint_clauses"}
    if unknown := sorted(set(raw) - known):
        raise ManifestError(f"{where}: unknown field(s) {', '.join(unknown)}")
    did = raw["id"]
    if not did.startswith(f"week{week}.") or not did.split(".", 1)[1].isidentifier():
        raise ManifestError(f"{where}: id must look like 'week{week}.snake_case_name'")
    if raw["kind"] not in KINDS:
        raise ManifestError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if not isinstance(raw["points"], int) or raw["points"] <= 0:
        raise ManifestError(f"{where}: points must be a positive integer")
    if raw.get("difficulty", "") not in ("", *DIFFICULTIES):
        raise ManifestError(f"{where}: difficulty must be one of {', '.join(DIFFICULTIES)}")
    if raw.get("tier", "core") not in TIERS:
        raise ManifestError(f"{where}: tier must be one of {', '.join(TIERS)}")
    minutes = raw.get("minutes", 0)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
        raise ManifestError(f"{where}: minutes must be a whole number of minutes (0 or more)")
    status = raw.get("status", "ready")
    if status not in STATUSES:
        raise ManifestError(f"{where}: status must be one of {', '.join(STATUSES)}")
    hints, hint_clauses = _hints(raw, where)
    if not hints:
        raise ManifestError(f"{where}: give at least one hint (gentle first, the answer last)")
    name = did.split(".", 1)[1]
    subdir, suffix = _KIND_DIRS.get(raw["kind"], ("", ".py"))
    module = raw.get("module") or "/".join(p for p in (f"weeks/week{week}", subdir) if p) + (
        f"/{name}{suffix}"
    )
    if not module.startswith(f"weeks/week{week}/"):
        raise ManifestError(f"{where}: module must live under weeks/week{week}/")
    values = {
        k: v
        for k, v in raw.items()
        if k not in ("hints", "services", "module", "tests", "mentor_rubric")
    }
    if "mentor_rubric" in raw:
        values["mentor_rubric"] = _mentor_rubric(raw["mentor_rubric"], where)
    return Deliverable(
        **values,
        week=week,
        day=day,
        hints=hints,
        hint_clauses=hint_clauses,
        services=_tuple(raw, "services", where),
        module=module,
        tests=raw.get("tests") or f"weeks/week{week}/tests/test_{name}.py",
    )


def parse(data: dict, root: Path) -> Curriculum:
    """Build a :class:`Curriculum` from the parsed index ``curriculum.toml`` and entry files."""
    version = data.get("format")
    if version != FORMAT:
        raise ManifestError(
            f"{MANIFEST}: format is {version!r}, this grader reads format {FORMAT}: start the "
            f"file with `format = {FORMAT}` and give each entry's text in "
            f"{ENTRIES_DIR}/weekN/<name>.toml (docs/authors.md)"
        )
    sources = {
        key: Source(key=key, title=value["title"], path=value["path"])
        for key, value in data.get("sources", {}).items()
    }
    weeks = []
    for raw_week in data.get("weeks", []):
        number = raw_week["number"]
        days = []
        for raw_day in raw_week.get("days", []):
            name = raw_day["name"]
            if name not in DAYS:
                raise ManifestError(f"{MANIFEST}: week {number}: unknown day {name!r}")
            if days and DAYS.index(name) <= DAYS.index(days[-1].name):
                raise ManifestError(
                    f"{MANIFEST}: week {number}: {name} is repeated or out of order"
                )
            days.append(
                Day(
                    name=name,
                    title=raw_day["title"],
                    hours=raw_day.get("hours", 7),
                    study=_tuple(raw_day, "study", f"week {number} {name}"),
                    hands_on=_tuple(raw_day, "hands_on", f"week {number} {name}"),
                    study_hours=raw_day.get("study_hours", 3),
                    hands_on_hours=raw_day.get("hands_on_hours", 4),
                    deliverables=tuple(
                        _deliverable(_entry(d, root, number, name), number, name)
                        for d in raw_day.get("deliverables", [])
                    ),
                )
            )
        weeks.append(
            Week(
                number=number,
                title=raw_week["title"],
                hours=raw_week.get("hours", 35),
                objectives=_tuple(raw_week, "objectives", f"week {number}"),
                summary=raw_week.get("summary", ""),
                days=tuple(days),
                criteria=tuple(
                    _deliverable(_entry(d, root, number, "criteria"), number, "criteria")
                    for d in raw_week.get("success", {}).get("criteria", [])
                ),
            )
        )
    index: dict[str, Deliverable] = {}
    for week in weeks:
        for deliverable in week.deliverables:
            if deliverable.id in index:
                raise ManifestError(f"{MANIFEST}: id {deliverable.id!r} is used twice")
            if deliverable.source not in sources:
                raise ManifestError(
                    f"{MANIFEST}: {deliverable.id}: source {deliverable.source!r} is not one of "
                    f"[sources] {', '.join(sources)}"
                )
            index[deliverable.id] = deliverable
    return Curriculum(
        title=data.get("title", "RxVision25"),
        root=root,
        sources=sources,
        weeks=tuple(weeks),
        _index=index,
    )


@cache
def _load(path: Path, stamp: tuple[int, ...]) -> Curriculum:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return parse(data, path.parent)


def _stamp(path: Path) -> tuple[int, ...]:
    """Changes whenever the index or any entry file is edited, added or removed."""
    entries = sorted((path.parent / ENTRIES_DIR).glob("week*/*.toml"))
    return (path.stat().st_mtime_ns, len(entries), *(p.stat().st_mtime_ns for p in entries))


def load(root: Path | str | None = None) -> Curriculum:
    """Load (and cache, until a file changes) the curriculum at ``root`` or above the cwd."""
    base = Path(root) if root is not None else find_root()
    path = (base / MANIFEST if base.is_dir() else base).resolve()
    return _load(path, _stamp(path))
