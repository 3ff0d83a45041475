"""Framework checks of ``curriculum.toml`` against its loader and its two source documents.

The manifest is the single source of truth of the course, so these tests hold it to the roadmap:
every deliverable and success-criteria line of ``sources/roadmap-6-week.md`` is answered by at
least one entry on the right week and day, every ``seed`` is a real line of its source document,
the days carry the study and hands-on text verbatim, and ready entries have their files on disk.
They parse the source documents themselves (no grader code involved) and run in well under a
second.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader import manifest
from grader.clauses import clauses_of

ROOT = Path(__file__).resolve().parents[1]
CURRICULUM = manifest.load(ROOT)
ENTRIES = list(CURRICULUM)

DRILL_DAY = "tuesday"
DRILL_SEEDS = ("Coding solutions", "Algorithm implementations", "Optimization examples")
DIFFICULTIES = ("easy", "medium", "hard")
SERVICES = ("redis", "postgres", "kafka", "mlflow")
DEFAULT_TIMEOUT = 120.0


# --------------------------------------------------------------------------- source documents
@dataclass
class DayOutline:
    name: str
    title: str
    hours: int
    study_hours: int = 0
    hands_on_hours: int = 0
    study: list[str] = field(default_factory=list)
    hands_on: list[str] = field(default_factory=list)
    deliverables: list[str] = field(default_factory=list)


@dataclass
class WeekOutline:
    number: int
    title: str
    hours: int = 0
    objectives: list[str] = field(default_factory=list)
    days: list[DayOutline] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)


_WEEK = re.compile(r"^##\*\*Week (\d+): (.+)\*\*$")
_SCHEDULE = re.compile(r"^###\*\*Daily Schedule \((\d+) hours\)\*\*$")
_DAY = re.compile(r"^####\*\*(\w+) \((\d+) hours\): (.+)\*\*$")
_CRITERIA = re.compile(r"^###\*\*Week (\d+) Success Criteria\*\*$")
_MORNING = re.compile(r"^Morning \((\d+) hours\):$")
_AFTERNOON = re.compile(r"^Afternoon \((\d+) hours\):$")


@functools.cache
def six_week_outline() -> dict[int, WeekOutline]:
    """Weeks of ``roadmap-6-week.md``: objectives, days (study, hands-on, deliverables), criteria.

    The ``Resources & Tools`` and ``Final Deliverables Portfolio`` sections end the last week and
    are not part of any week.
    """
    weeks: dict[int, WeekOutline] = {}
    week: WeekOutline | None = None
    day: DayOutline | None = None
    mode = ""
    for raw in CURRICULUM.source_text("six_week").splitlines():
        line = raw.strip()
        if m := _WEEK.match(line):
            week = weeks.setdefault(int(m[1]), WeekOutline(int(m[1]), m[2]))
            day, mode = None, ""
        elif line.startswith("##**") and not line.startswith("###"):
            week, day, mode = None, None, ""  # a level-2 section that is not a week
        elif week is None:
            continue
        elif line == "###**Learning Objectives**":
            mode = "objectives"
        elif m := _SCHEDULE.match(line):
            week.hours, mode = int(m[1]), ""
        elif m := _DAY.match(line):
            day = DayOutline(m[1].lower(), m[3], int(m[2]))
            week.days.append(day)
            mode = ""
        elif _CRITERIA.match(line):
            day, mode = None, "criteria"
        elif m := _MORNING.match(line):
            mode = "study"
            if day is not None:
                day.study_hours = int(m[1])
        elif m := _AFTERNOON.match(line):
            mode = "hands_on"
            if day is not None:
                day.hands_on_hours = int(m[1])
        elif line == "**Deliverables:**":
            mode = "deliverables"
        elif line.startswith("- [ ] "):
            text = line.removeprefix("- [ ] ")
            if mode == "deliverables" and day is not None:
                day.deliverables.append(text)
            elif mode == "criteria":
                week.criteria.append(text)
        elif line.startswith("- "):
            text = line.removeprefix("- ")
            if mode == "objectives":
                week.objectives.append(text)
            elif mode in ("study", "hands_on") and day is not None:
                getattr(day, mode).append(text)
    return weeks


@functools.cache
def sixteen_week_bullets() -> frozenset[str]:
    """Text of every ``* `` bullet of ``roadmap-16-week.md`` (glyph headings are not bullets)."""
    bullets = set()
    for raw in CURRICULUM.source_text("sixteen_week").splitlines():
        line = raw.strip()
        if line.startswith("* "):
            bullets.add(line.removeprefix("* ").strip())
    return frozenset(bullets)


def six_week_lines(week: int, day: str) -> list[str]:
    """The ``- [ ]`` lines of one day's deliverables, or of the week's criteria (``criteria``)."""
    outline = six_week_outline()[week]
    if day == "criteria":
        return outline.criteria
    return next(d.deliverables for d in outline.days if d.name == day)


def test_source_outline_is_complete() -> None:
    """Guard for the parser below: six weeks, five days each, three lines per list."""
    weeks = six_week_outline()
    assert sorted(weeks) == [1, 2, 3, 4, 5, 6], f"parsed weeks {sorted(weeks)}"
    for week in weeks.values():
        assert [d.name for d in week.days] == list(manifest.DAYS), week.number
        assert len(week.criteria) == 4, (week.number, week.criteria)
        assert len(week.objectives) == 3, (week.number, week.objectives)
        for day in week.days:
            counts = (len(day.study), len(day.hands_on), len(day.deliverables))
            assert counts == (3, 3, 3), (week.number, day.name, counts)
    assert "Why Caching? LRU vs LFU Caching" in sixteen_week_bullets()


# --------------------------------------------------------------------------- loader contract
MINIMAL = """
format = 2

[sources.six_week]
title = "six"
path = "sources/roadmap-6-week.md"

[[weeks]]
number = 1
title = "Week one"

[[weeks.days]]
name = "monday"
title = "Monday"
"""

GOOD_ENTRY = {
    "id": "week1.thing",
    "title": "A thing",
    "kind": "code",
    "points": 5,
    "hints": ["gentle", "closer", "nearly the answer"],
    "seed": "EfficientNet implementation notebook",
    "source": "six_week",
}


def toml_entry(values: dict[str, object]) -> str:
    # JSON strings, integers and lists of strings are valid TOML values as written.
    lines = [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    return "\n[[weeks.days.deliverables]]\n" + "\n".join(lines) + "\n"


def parse(*entries: dict[str, object]) -> manifest.Curriculum:
    """Entries as TOML would give them (hints may hold tables, which ``toml_entry`` does not
    write: they are put into the parsed data)."""
    plain = [{k: v for k, v in entry.items() if k != "hints"} for entry in entries]
    data = tomllib.loads(MINIMAL + "".join(toml_entry(entry) for entry in plain))
    for raw, entry in zip(data["weeks"][0]["days"][0]["deliverables"], entries, strict=True):
        if "hints" in entry:
            raw["hints"] = entry["hints"]
    return manifest.parse(data, ROOT)


def test_minimal_manifest_parses() -> None:
    curriculum = parse(GOOD_ENTRY)
    assert [d.id for d in curriculum] == ["week1.thing"]
    assert curriculum["week1.thing"].module == "weeks/week1/thing.py"


def test_hints_may_name_the_clauses_they_are_about() -> None:
    hints = ["gentle", {"text": "about ties", "clauses": ["ties", "order"]}, "answer"]
    thing = parse({**GOOD_ENTRY, "hints": hints})["week1.thing"]
    assert thing.hints == ("gentle", "about ties", "answer")
    assert thing.hint_clauses == ((), ("ties", "order"), ())


def test_minutes_and_tier_are_read() -> None:
    thing = parse({**GOOD_ENTRY, "minutes": 45, "tier": "stretch"})["week1.thing"]
    assert (thing.minutes, thing.tier) == (45, "stretch")
    assert parse(GOOD_ENTRY)["week1.thing"].tier == "core", "an entry without a tier is core"


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        pytest.param(
            [GOOD_ENTRY, {**GOOD_ENTRY, "title": "again"}], "used twice", id="duplicate-id"
        ),
        pytest.param([{**GOOD_ENTRY, "kind": "essay"}], "kind must be one of", id="unknown-kind"),
        pytest.param(
            [{k: v for k, v in GOOD_ENTRY.items() if k != "seed"}], "missing seed", id="no-seed"
        ),
        pytest.param([{**GOOD_ENTRY, "id": "week2.thing"}], "id must look like", id="bad-prefix"),
        pytest.param([{**GOOD_ENTRY, "id": "week1.ex-3"}], "id must look like", id="bad-name"),
        pytest.param([{**GOOD_ENTRY, "status": "soon"}], "status must be one of", id="bad-status"),
        pytest.param([{**GOOD_ENTRY, "source": "blog"}], "is not one of", id="unknown-source"),
        pytest.param([{**GOOD_ENTRY, "hints": []}], "at least one hint", id="no-hints"),
        pytest.param([{**GOOD_ENTRY, "colour": "red"}], "unknown field", id="unknown-field"),
        pytest.param([{**GOOD_ENTRY, "tier": "optional"}], "tier must be one of", id="bad-tier"),
        pytest.param([{**GOOD_ENTRY, "tier": "Core"}], "tier must be one of", id="tier-case"),
        pytest.param([{**GOOD_ENTRY, "minutes": -30}], "minutes must be", id="negative-minutes"),
        pytest.param([{**GOOD_ENTRY, "minutes": 1.5}], "minutes must be", id="float-minutes"),
        pytest.param([{**GOOD_ENTRY, "minutes": "45"}], "minutes must be", id="text-minutes"),
        pytest.param([{**GOOD_ENTRY, "minutes": True}], "minutes must be", id="bool-minutes"),
        pytest.param([{**GOOD_ENTRY, "hints": "one"}], "each hint must be", id="hints-not-list"),
        pytest.param(
            [{**GOOD_ENTRY, "hints": [{"text": "t"}]}], "each hint must be", id="hint-no-clauses"
        ),
        pytest.param(
            [{**GOOD_ENTRY, "hints": [{"text": "t", "clauses": []}]}],
            "each hint must be",
            id="hint-empty-clauses",
        ),
        pytest.param(
            [{**GOOD_ENTRY, "hints": [{"text": "t", "clauses": ["a"], "x": 1}]}],
            "each hint must be",
            id="hint-extra-key",
        ),
        pytest.param([{**GOOD_ENTRY, "hints": [3]}], "each hint must be", id="hint-number"),
    ],
)
def test_loader_rejects_malformed_entries(entries: list[dict[str, object]], message: str) -> None:
    with pytest.raises(manifest.ManifestError, match=message):
        parse(*entries)


def _course_with_entry_file(tmp_path: Path, index_entry: str, entry_file: str) -> Path:
    (tmp_path / "curriculum" / "week1").mkdir(parents=True)
    (tmp_path / "curriculum" / "week1" / "thing.toml").write_text(entry_file)
    (tmp_path / "curriculum.toml").write_text(MINIMAL + "deliverables = [" + index_entry + "]\n")
    return tmp_path


ENTRY_FILE = "\n".join(
    f"{key} = {json.dumps(value)}" for key, value in GOOD_ENTRY.items() if key != "id"
)


def test_entry_text_comes_from_its_own_file(tmp_path: Path) -> None:
    root = _course_with_entry_file(
        tmp_path, '{ id = "week1.thing", status = "planned" }', ENTRY_FILE
    )
    thing = manifest.load(root)["week1.thing"]
    assert (thing.title, thing.hints, thing.planned) == (
        "A thing",
        tuple(GOOD_ENTRY["hints"]),
        True,
    )
    assert thing.paths.entry == "curriculum/week1/thing.toml"
    assert thing.paths.for_target("solution") == "solutions/week1/thing.py"


def test_entry_file_edits_are_seen_without_touching_the_index(tmp_path: Path) -> None:
    root = _course_with_entry_file(tmp_path, '{ id = "week1.thing", status = "ready" }', ENTRY_FILE)
    assert manifest.load(root)["week1.thing"].points == 5
    path = root / "curriculum" / "week1" / "thing.toml"
    path.write_text(ENTRY_FILE.replace("points = 5", "points = 7"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert manifest.load(root)["week1.thing"].points == 7


@pytest.mark.parametrize(
    ("index_entry", "entry_file", "message"),
    [
        pytest.param(
            '{ id = "week1.thing", points = 3 }', ENTRY_FILE, "points also given", id="both"
        ),
        pytest.param(
            '{ id = "week1.thing" }', ENTRY_FILE + '\nstatus = "ready"', "belong", id="status"
        ),
        pytest.param('{ id = "week1.thing" }', "title = ", "not valid TOML", id="bad-toml"),
        pytest.param('{ title = "x" }', ENTRY_FILE, "needs an `id`", id="no-id"),
    ],
)
def test_entry_files_are_validated(
    tmp_path: Path, index_entry: str, entry_file: str, message: str
) -> None:
    root = _course_with_entry_file(tmp_path, index_entry, entry_file)
    with pytest.raises(manifest.ManifestError, match=message):
        manifest.load(root)


def test_an_index_without_its_format_version_is_refused() -> None:
    text = MINIMAL.replace("format = 2", "") + toml_entry(GOOD_ENTRY)
    with pytest.raises(manifest.ManifestError, match="format = 2"):
        manifest.parse(tomllib.loads(text), ROOT)


def test_every_entry_has_its_own_file_and_no_file_is_orphaned() -> None:
    files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "curriculum").glob("*/*.toml")}
    entries = {d.paths.entry for d in CURRICULUM}
    assert files == entries, (
        f"entry files without an index entry: {sorted(files - entries)}; "
        f"index entries without a file: {sorted(entries - files)}"
    )


# --------------------------------------------------------------------------- the real manifest
def test_manifest_loads_with_unique_ids() -> None:
    assert [w.number for w in CURRICULUM.weeks] == [1, 2, 3, 4, 5, 6]
    with (ROOT / manifest.MANIFEST).open("rb") as fh:
        raw = tomllib.load(fh)
    ids = [
        entry["id"]
        for week in raw["weeks"]
        for group in [
            *(day.get("deliverables", []) for day in week["days"]),
            week.get("success", {}).get("criteria", []),
        ]
        for entry in group
    ]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not duplicates, f"ids used more than once in curriculum.toml: {duplicates}"
    assert len(ids) == len(ENTRIES)


# Lines of the roadmap that promise what the course cannot do offline (a downloaded dataset, hub
# weights), and the line curriculum.toml says instead: what the course's exercises really do.
OFFLINE_REPLACEMENTS = {
    "Code: Transfer learning for CIFAR-10": (
        "Code: Transfer learning on synthetic pills: pre-train on studio photos, fine-tune on field"
    ),
    "Code: Use Hugging Face transformers library": (
        "Code: The Hugging Face workflow offline: timm's ViT, save/from_pretrained on local files"
    ),
}


def test_weeks_and_days_match_the_roadmap() -> None:
    outline = six_week_outline()
    problems = []
    replaced: set[str] = set()
    for week in CURRICULUM.weeks:
        want = outline[week.number]
        got = (week.title, week.hours, list(week.objectives))
        if got != (want.title, want.hours, want.objectives):
            problems.append(f"week {week.number}: title/hours/objectives {got} != {want}")
        if not week.summary.strip():
            problems.append(f"week {week.number}: empty summary")
        if [d.name for d in week.days] != list(manifest.DAYS):
            problems.append(f"week {week.number}: days {[d.name for d in week.days]}")
            continue
        for day, src in zip(week.days, want.days, strict=True):
            got_day = (day.title, day.hours, day.study_hours, day.hands_on_hours)
            want_day = (src.title, src.hours, src.study_hours, src.hands_on_hours)
            if got_day != want_day:
                problems.append(f"week {week.number} {day.name}: {got_day} != {want_day}")
            if list(day.study) != src.study:
                problems.append(f"week {week.number} {day.name}: study {day.study} != {src.study}")
            want_hands_on = [OFFLINE_REPLACEMENTS.get(line, line) for line in src.hands_on]
            replaced.update(line for line in src.hands_on if line in OFFLINE_REPLACEMENTS)
            if list(day.hands_on) != want_hands_on:
                problems.append(
                    f"week {week.number} {day.name}: hands_on {day.hands_on} != {want_hands_on}"
                )
    if unused := sorted(set(OFFLINE_REPLACEMENTS) - replaced):
        problems.append(f"OFFLINE_REPLACEMENTS names lines the roadmap does not have: {unused}")
    assert not problems, "curriculum.toml differs from sources/roadmap-6-week.md:\n" + "\n".join(
        problems
    )


def test_every_roadmap_line_is_a_seed_of_its_week_and_day() -> None:
    seeds = {(d.week, d.day, d.seed) for d in ENTRIES if d.source == "six_week"}
    missing = [
        f"week {number} {day}: {line}"
        for number, week in six_week_outline().items()
        for day in [*manifest.DAYS, "criteria"]
        for line in six_week_lines(number, day)
        if (number, day, line) not in seeds
    ]
    assert not missing, (
        "These deliverable / success-criteria lines of sources/roadmap-6-week.md have no entry "
        "with that exact `seed` on that week and day:\n" + "\n".join(missing)
    )


def test_criteria_entries_are_capstones() -> None:
    wrong = [
        d.id for w in CURRICULUM.weeks for d in w.criteria if d.kind != "capstone" or not d.summary
    ]
    assert not wrong, f"success-criteria entries must be kind 'capstone' with a summary: {wrong}"


def test_every_seed_is_a_line_of_its_source() -> None:
    bullets = sixteen_week_bullets()
    wrong = []
    for d in ENTRIES:
        if d.source == "six_week":
            if d.seed not in six_week_lines(d.week, d.day):
                wrong.append(f"{d.id}: {d.seed!r} is not a '- [ ]' line of week {d.week} {d.day}")
        elif d.source == "sixteen_week":
            if d.seed not in bullets:
                wrong.append(f"{d.id}: {d.seed!r} is not a bullet of roadmap-16-week.md")
        else:
            wrong.append(f"{d.id}: unexpected source {d.source!r}")
    assert not wrong, "seeds must be verbatim lines of their source document:\n" + "\n".join(wrong)


def test_sixteen_week_topics_are_folded_in() -> None:
    weeks = Counter(d.week for d in ENTRIES if d.source == "sixteen_week")
    assert all(weeks[n] for n in (1, 3, 4, 6)), f"sixteen_week entries per week: {dict(weeks)}"


def test_ready_entries_have_stub_solution_and_tests() -> None:
    missing = [
        f"{d.id}: {path}"
        for d in ENTRIES
        if not d.planned
        for path in (d.module, d.solution, d.tests)
        if not (ROOT / path).is_file()
    ]
    assert not missing, "ready entries need their stub, solution and test file:\n" + "\n".join(
        missing
    )


def test_no_orphan_exercise_tests() -> None:
    claimed = {d.tests for d in ENTRIES if not d.planned}
    on_disk = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("weeks/*/tests/test_*.py")}
    orphans = sorted(on_disk - claimed)
    assert not orphans, (
        f"test files that belong to no ready entry (add the entry, or mark it ready): {orphans}"
    )


def test_entry_paths_are_unique() -> None:
    for attribute in ("module", "tests"):
        counts = Counter(getattr(d, attribute) for d in ENTRIES)
        shared = sorted(path for path, n in counts.items() if n > 1)
        assert not shared, f"entries sharing a {attribute} path: {shared}"


def test_hints_tagged_with_clauses_name_clauses_of_their_exercise() -> None:
    """A hint's ``clauses`` pick the tests it is shown beside: each must be a clause tagged in
    the exercise's stub (or template), and a tagged hint's group starts gentle, ends with the
    answer: at least one untagged hint remains for the exercise as a whole."""
    problems = []
    for d in ENTRIES:
        tagged = [set(c) for c in d.hint_clauses if c]
        if not tagged:
            continue
        known = set(clauses_of(ROOT / d.module))
        for about in tagged:
            if unknown := about - known:
                problems.append(f"{d.id}: hint about unknown clause(s) {sorted(unknown)}")
        if len(tagged) == len(d.hints):
            problems.append(f"{d.id}: every hint is tagged; keep the last one for the whole")
    assert not problems, "\n".join(problems)


def test_entries_are_gradeable() -> None:
    problems = []
    for d in ENTRIES:
        need = 2 if d.planned else 3
        if len(d.hints) < need or len(set(d.hints)) != len(d.hints):
            problems.append(f"{d.id}: needs {need}+ distinct hints, has {len(d.hints)}")
        if any(not hint.strip() for hint in d.hints):
            problems.append(f"{d.id}: empty hint")
        if not isinstance(d.points, int) or d.points <= 0:
            problems.append(f"{d.id}: points must be a positive integer, got {d.points!r}")
        if not d.title.strip() or not d.summary.strip():
            problems.append(f"{d.id}: needs a title and a summary")
        if unknown := set(d.services) - set(SERVICES):
            problems.append(f"{d.id}: unknown services {sorted(unknown)}")
        if d.planned and d.timeout != DEFAULT_TIMEOUT and d.timeout <= DEFAULT_TIMEOUT:
            problems.append(f"{d.id}: set timeout only above the default {DEFAULT_TIMEOUT}")
        if d.kind == "config" and d.module.endswith(".py"):
            problems.append(f"{d.id}: a config entry names its file in `module` ({d.module})")
        if d.difficulty and d.difficulty not in DIFFICULTIES:
            problems.append(f"{d.id}: difficulty {d.difficulty!r} not in {DIFFICULTIES}")
        if bool(d.difficulty) != bool(d.timebox) or d.timebox < 0:
            problems.append(
                f"{d.id}: difficulty and timebox go together ({d.difficulty!r}, {d.timebox})"
            )
    assert not problems, "\n".join(problems)


def test_week6_drills_are_timeboxed() -> None:
    week6 = CURRICULUM.week(6)
    untimed = [d.id for d in week6.deliverables if d.kind == "code" and not d.timebox]
    assert not untimed, f"week 6 coding drills need `difficulty` and `timebox`: {untimed}"
    tuesday = next(day for day in week6.days if day.name == DRILL_DAY)
    drills = [d for d in tuesday.deliverables if d.seed in DRILL_SEEDS]
    assert len(drills) >= 20, f"week 6 {DRILL_DAY} has {len(drills)} coding drills, want >= 20"
    levels = Counter(d.difficulty for d in drills)
    assert all(levels[level] for level in DIFFICULTIES), f"drill difficulties: {dict(levels)}"


def test_entry_data_is_the_free_form_data_table_of_the_entry_file(tmp_path: Path) -> None:
    data = """
[data]
# course content that belongs to this exercise
prompt = '''Design a thing.'''

[data.concepts]
"feature store" = ["feast", "online store"]

[[data.questions]]
id = "q1"
themes = ["ownership"]

[[data.questions]]
id = "q2"
themes = []
"""
    mutants = '\n[[mutants]]\nname = "wrong"\nwhy = "it is wrong."\n'
    root = _course_with_entry_file(
        tmp_path, '{ id = "week1.thing", status = "ready" }', ENTRY_FILE + "\n" + data + mutants
    )
    curriculum = manifest.load(root)
    assert curriculum["week1.thing"].title == "A thing", "[data] is not an entry field"
    assert manifest.entry_data(curriculum, "week1.thing") == {
        "prompt": "Design a thing.",
        "concepts": {"feature store": ["feast", "online store"]},
        "questions": [{"id": "q1", "themes": ["ownership"]}, {"id": "q2", "themes": []}],
    }
    path = root / "curriculum" / "week1" / "thing.toml"
    path.write_text(ENTRY_FILE + mutants)
    assert manifest.entry_data(curriculum, "week1.thing") == {}, "no [data]: an empty dict"
    path.unlink()
    assert manifest.entry_data(curriculum, "week1.thing") == {}, "no entry file: an empty dict"
    with pytest.raises(KeyError, match="week1.nothing"):
        manifest.entry_data(curriculum, "week1.nothing")


def test_the_question_banks_and_design_rubrics_are_course_data() -> None:
    questions = manifest.entry_data(CURRICULUM, "week6.capstone_behavioral")["questions"]
    assert len(questions) == 30 and all({"id", "question", "themes"} <= set(q) for q in questions)
    for name in ("image_classification", "recommendation", "realtime_pipeline"):
        data = manifest.entry_data(CURRICULUM, f"week6.design_{name}")
        missing = {"prompt", "required_estimates", "concepts", "components"} - set(data)
        assert not missing, f"curriculum/week6/design_{name}.toml: [data] lacks {missing}"
    fresh = manifest.entry_data(CURRICULUM, "week6.mock_system_design")["fresh_prompts"]
    assert len(fresh) >= 2 and all(p["id"].startswith("fresh.") for p in fresh)


# --------------------------------------------------------------------------- time budget
# Each entry has `minutes` (estimated hands-on time) and a `tier`: `core` is the day's plan,
# `stretch` is for learners with time left. curriculum.toml's header states the rules below.
_BUDGET_ADVICE = (
    'Mark some of them tier = "stretch" in their curriculum/weekN/<name>.toml (prefer extra '
    "drills and optional fundamentals; keep what the week's capstones build on), or correct an "
    "estimate; curriculum.toml's header explains the budget."
)
_ID_IN_TEXT = re.compile(r"\bweek\d+\.[a-z_][a-z0-9_]*")


def _listing(entries: list[manifest.Deliverable]) -> str:
    return ", ".join(f"{d.id} ({d.minutes} min)" for d in entries)


def day_overruns(week: manifest.Week) -> list[str]:
    """One line per day of ``week`` whose core entries need more than its hands-on hours."""
    lines = []
    for day in week.days:
        core, total, budget = day.tier("core"), day.core_minutes, day.budget_minutes
        if total > budget:
            lines.append(
                f"week {week.number} {day.name}: the core entries take {total} min, but the day "
                f"has {day.hands_on_hours} hands-on hours ({budget} min): {_listing(core)}"
            )
    return lines


def week_budget(week: manifest.Week) -> int:
    """Minutes for the week's whole core: the days' hands-on hours plus any week hours the days
    leave (none in this course: 35 = 5 x 7), which is also where its success criteria must fit."""
    spare = week.hours - sum(day.hours for day in week.days)
    return 60 * (sum(day.hands_on_hours for day in week.days) + max(spare, 0))


def test_every_entry_estimates_its_minutes_and_names_its_tier() -> None:
    problems = []
    for d in ENTRIES:
        with (ROOT / d.entry).open("rb") as fh:
            raw = tomllib.load(fh)
        if missing := [key for key in ("minutes", "tier") if key not in raw]:
            problems.append(f"{d.entry}: add {' and '.join(missing)}")
        elif d.minutes <= 0:
            problems.append(f"{d.entry}: minutes = {d.minutes}; estimate the hands-on minutes")
    assert not problems, (
        'every entry file needs `minutes = N` (> 0) and `tier = "core"` or `"stretch"`:\n'
        + "\n".join(problems)
    )


def test_an_overfull_day_is_reported_with_its_budget_sum_and_entries() -> None:
    curriculum = parse(
        {**GOOD_ENTRY, "minutes": 180},
        {**GOOD_ENTRY, "id": "week1.other", "minutes": 90},
        {**GOOD_ENTRY, "id": "week1.extra", "minutes": 600, "tier": "stretch"},
    )
    assert day_overruns(curriculum.week(1)) == [
        "week 1 monday: the core entries take 270 min, but the day has 4 hands-on hours "
        "(240 min): week1.thing (180 min), week1.other (90 min)"
    ]
    fits = parse(
        {**GOOD_ENTRY, "minutes": 180},
        {**GOOD_ENTRY, "id": "week1.extra", "minutes": 600, "tier": "stretch"},
    )
    assert day_overruns(fits.week(1)) == [], "stretch entries do not count"


@pytest.mark.parametrize("week", [w.number for w in CURRICULUM.weeks], ids=lambda n: f"week{n}")
def test_each_days_core_entries_fit_its_hands_on_hours(week: int) -> None:
    overruns = day_overruns(CURRICULUM.week(week))
    assert not overruns, "\n".join([*overruns, _BUDGET_ADVICE])
    empty = [
        day.name
        for day in CURRICULUM.week(week).days
        if day.deliverables and not any(d.tier == "core" for d in day.deliverables)
    ]
    assert not empty, f"week {week}: no core entry on {empty}; a day's plan is its core entries"


@pytest.mark.parametrize("week", [w.number for w in CURRICULUM.weeks], ids=lambda n: f"week{n}")
def test_each_weeks_core_with_its_success_criteria_fits_its_hands_on_hours(week: int) -> None:
    this = CURRICULUM.week(week)
    core = [d for d in this.deliverables if d.tier == "core"]
    total, budget = sum(d.minutes for d in core), week_budget(this)
    criteria = [d for d in this.criteria if d.tier == "core"]
    assert total <= budget, (
        f"week {week}: the core entries of its days and its success criteria take {total} min, "
        f"but the week has {budget} min of hands-on time (its days' hands-on hours plus the "
        f"week hours its days leave: the capstones share that time); core criteria: "
        f"{_listing(criteria)}. " + _BUDGET_ADVICE
    )


def test_core_success_criteria_build_only_on_core_entries() -> None:
    """The core path builds the week's system: a core capstone's named pieces are core too."""
    problems = []
    for week in CURRICULUM.weeks:
        for criterion in (d for d in week.criteria if d.tier == "core"):
            named = sorted(set(_ID_IN_TEXT.findall(criterion.summary)))
            if stretch := [i for i in named if i in CURRICULUM and CURRICULUM[i].tier != "core"]:
                problems.append(f"{criterion.id} is core but builds on stretch {stretch}")
    assert not problems, (
        "make these pieces core, or the capstone stretch (curriculum/weekN/<name>.toml):\n"
        + "\n".join(problems)
    )


# --------------------------------------------------------------------------- mentor rubrics
RUBRIC_CRITERION = """
[[mentor_rubric]]
id = "structure"
name = "STAR structure"
looks_for = "Brief setup, long Action."

[mentor_rubric.levels]
1 = "Parts missing."
3 = "All parts, thin Action."
5 = "Brief setup, detailed Action."
"""


def test_a_mentor_rubric_is_read_from_the_entry_file(tmp_path: Path) -> None:
    second = RUBRIC_CRITERION.replace('"structure"', '"impact"').replace("1 = ", "0 = ")
    root = _course_with_entry_file(
        tmp_path, '{ id = "week1.thing", status = "ready" }', ENTRY_FILE + RUBRIC_CRITERION + second
    )
    thing = manifest.load(root)["week1.thing"]
    assert [c.id for c in thing.mentor_rubric] == ["structure", "impact"]
    structure = thing.mentor_rubric[0]
    assert (structure.name, structure.looks_for, structure.max) == (
        "STAR structure",
        "Brief setup, long Action.",
        5,
    )
    assert structure.levels == (
        (1, "Parts missing."),
        (3, "All parts, thin Action."),
        (5, "Brief setup, detailed Action."),
    )
    assert thing.mentor_rubric[1].levels[0] == (0, "Parts missing.")
    assert manifest.entry_data(manifest.load(root), "week1.thing") == {}, "not course [data]"


@pytest.mark.parametrize(
    ("rubric", "message"),
    [
        pytest.param(RUBRIC_CRITERION * 2, "id 'structure' is used twice", id="duplicate-id"),
        pytest.param(
            RUBRIC_CRITERION.replace('name = "STAR structure"\n', ""),
            r"criterion 1 \('structure'\): missing name",
            id="no-name",
        ),
        pytest.param(
            RUBRIC_CRITERION.split("[mentor_rubric.levels]")[0], "missing levels", id="no-levels"
        ),
        pytest.param(
            RUBRIC_CRITERION.replace('3 = "All parts, thin Action."', '3 = "  "'),
            "level 3 needs a non-empty descriptor",
            id="empty-level",
        ),
        pytest.param(
            RUBRIC_CRITERION.replace('looks_for = "Brief setup, long Action."', 'looks_for = ""'),
            "looks_for must be non-empty text",
            id="empty-looks-for",
        ),
        pytest.param(
            RUBRIC_CRITERION.replace(
                '3 = "All parts, thin Action."\n5 = "Brief setup, detailed Action."', ""
            ),
            "at least two levels",
            id="one-level",
        ),
        pytest.param(
            RUBRIC_CRITERION.replace("3 = ", "good = "),
            "level 'good' must be a whole number",
            id="named-level",
        ),
        pytest.param(
            RUBRIC_CRITERION.replace('id = "structure"', 'id = "STAR structure"'),
            "id must be a snake_case name",
            id="bad-id",
        ),
        pytest.param(
            RUBRIC_CRITERION.replace("looks_for", "weight = 2\nlooks_for"),
            r"unknown field\(s\) weight",
            id="unknown-field",
        ),
        pytest.param(
            '\nmentor_rubric = "be clear"\n', "mentor_rubric must be one or more", id="text"
        ),
    ],
)
def test_bad_mentor_rubrics_are_refused_naming_the_file(
    tmp_path: Path, rubric: str, message: str
) -> None:
    root = _course_with_entry_file(
        tmp_path, '{ id = "week1.thing", status = "ready" }', ENTRY_FILE + rubric
    )
    with pytest.raises(manifest.ManifestError, match=message) as info:
        manifest.load(root)
    assert str(info.value).startswith("curriculum/week1/thing.toml: "), info.value


def test_written_work_of_weeks_1_and_6_publishes_a_specific_mentor_rubric() -> None:
    """Each written deliverable of weeks 1 and 6 has 3-5 criteria of its own, not boilerplate."""
    written = [d for d in CURRICULUM if d.kind == "written" and d.week in (1, 6) and not d.planned]
    assert written
    bare = [d.id for d in written if not 3 <= len(d.mentor_rubric) <= 5]
    assert not bare, f"give these 3-5 [[mentor_rubric]] criteria (docs/authors.md): {bare}"
    seen: dict[str, str] = {}
    for d in written:
        for c in d.mentor_rubric:
            for text in (c.looks_for, *(t for _, t in c.levels)):
                assert seen.setdefault(text, d.id) == d.id, (
                    f"{d.id} criterion {c.id!r} copies {seen[text]}'s text {text!r}: write "
                    "descriptors specific to this deliverable"
                )


# --------------------------------------------------------------------------- spec clauses
def test_every_ready_exercise_tags_the_clauses_of_its_spec() -> None:
    untagged = sorted(d.id for d in CURRICULUM if not d.planned and not clauses_of(ROOT / d.module))
    assert not untagged, (
        f"these exercises tag no clause of their spec: {untagged}; tag each behavioural "
        "sentence of the stub (or template) with [#id] and mark its tests (docs/authors.md)"
    )
