"""Mentor grading: the official tests over learner checkouts, isolated, checked and signed.

``rxgrade grade LEARNER_DIR... --out DIR [--key-file KEY] [--jobs N] [--weeks 1,6]`` grades each
learner checkout in a **fresh workspace built from the mentor's checkout** (official tests,
grader, solutions, manifest, conftest and configuration files are the mentor's), into which only
the learner's exercise files are copied (each ready deliverable's stub, notebook pair or written
file, as the manifest lists them). The learner's checkout is only read.

Every exercise runs in a forked child of one grading process per learner
(:mod:`grader.isolate`): a wall-time kill per exercise, an address-space limit
(:data:`MEMORY_LIMIT` on top of what the child inherits), a cap on the output kept, and no
network beyond this machine's loopback for its Python code (an audit hook). So an
endless loop, ``os._exit``, a memory bomb, a flood of output, a syntax error or a
``KeyboardInterrupt`` costs that exercise only, and the report says what happened.

Each learner gets ``DIR/<name>.json`` (the report schema of :mod:`grader.results`, plus
``integrity``, ``problems`` and ``signature``), ``DIR/<name>.md`` and ``DIR/<name>.xml``
(JUnit). ``integrity.modified`` lists, repo-relative, every official file the learner changed,
added (tests, ``conftest.py`` anywhere, pytest and packaging configuration, ``.pth`` files) or
deleted: they are reported and never run. A mentor's own tests (``--extra-tests DIR``, files
named after the official ones) run after the official ones, against the same files, and are
reported apart in ``extra``: they never change the points. ``integrity.reaches_into_grader``
lists lines of the learner's exercise files that import the grader or pytest's internals.

With a key file, ``signature`` holds an HMAC-SHA256 of the report's canonical JSON (sorted keys,
no whitespace, the signature itself left out) and one per deliverable, so
``rxgrade grade --check REPORT --key-file KEY`` can say which deliverable's result was edited.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader import manifest
from grader.results import Run

__all__ = [
    "MEMORY_LIMIT",
    "CheckResult",
    "check_report",
    "exercise_files",
    "grade_learner",
    "integrity",
    "sign",
]

#: Bytes of address space an exercise's process may add to what it inherits from the grader.
MEMORY_LIMIT = 6 * 1024**3
#: Folders never copied into a workspace nor compared: environments, caches, VCS and state.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        ".rxgrade",
        "__pycache__",
        "node_modules",
        "site",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        ".ipynb_checkpoints",
    }
)
#: Files that change how pytest or Python run, wherever a learner adds them.
_CONFIG_NAMES = frozenset(
    {
        "conftest.py",
        "pytest.ini",
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "tox.ini",
        "sitecustomize.py",
        "usercustomize.py",
    }
)
_REACHES = re.compile(
    r"^\s*(?:from|import)\s+(?P<module>grader|_pytest|pluggy)\b"
    r"|(?P<hook>pytest_runtest_\w+|pytest_sessionfinish|pytest_terminal_summary|TestReport"
    r"|RXGRADE_REPORT_TOKEN|rxgrade_report_fd|sys\.modules\[\s*['\"]grader)"
)


# -- files ----------------------------------------------------------------------------------------
def exercise_files(
    curriculum: manifest.Curriculum, weeks: Iterable[int] | None = None
) -> list[str]:
    """Repo-relative paths of the learner's own files: each ready deliverable's module, and the
    ``.ipynb`` twin of a notebook pair."""
    chosen = set(weeks) if weeks is not None else None
    paths: list[str] = []
    for d in curriculum:
        if d.planned or (chosen is not None and d.week not in chosen):
            continue
        paths.append(d.module)
        if d.kind == "notebook" and d.module.endswith(".py"):
            paths.append(d.module[: -len(".py")] + ".ipynb")
    return paths


def _walk(root: Path) -> Iterable[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        base = Path(folder)
        for name in sorted(files):
            path = base / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(root).as_posix()


def official_files(root: Path) -> list[str]:
    """The mentor's checkout: in a git checkout the files git tracks (as they are in the working
    tree), so what a test run or a build left behind (``artifacts/``, ``site/``) is not official;
    elsewhere every file below ``root`` but :data:`SKIP_DIRS`."""
    if (root / ".git").exists():
        try:
            out = subprocess.run(
                ["git", "-C", str(root), "ls-files", "-z"],
                capture_output=True,
                timeout=60,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            pass
        else:
            names = sorted(n for n in out.stdout.decode().split("\0") if n)
            return [n for n in names if (root / n).is_file() and not (root / n).is_symlink()]
    return list(_walk(root))


def _official_kind(rel: str) -> bool:
    """Whether a file a learner *added* is one that changes what runs (and so is official)."""
    parts = rel.split("/")
    return (
        parts[-1] in _CONFIG_NAMES
        or parts[-1].endswith(".pth")
        or parts[0] in ("grader", "tests", "solutions", "curriculum")
        or "tests" in parts[:-1]
        or rel == "curriculum.toml"
    )


def integrity(mentor_root: Path, learner_root: Path, exercises: Iterable[str]) -> dict:
    """What the learner changed outside their exercise files, and where their code reaches into
    the grader. Paths are repo-relative and sorted."""
    mine = set(exercises)
    official = [rel for rel in official_files(mentor_root) if rel not in mine]
    changes: list[dict[str, str]] = []
    known = set(official)
    for rel in official:
        theirs = learner_root / rel
        if not theirs.is_file():
            changes.append({"path": rel, "change": "deleted"})
        elif _digest(theirs) != _digest(mentor_root / rel):
            changes.append({"path": rel, "change": "modified"})
    for rel in _walk(learner_root):
        if rel not in known and rel not in mine and _official_kind(rel):
            changes.append({"path": rel, "change": "added"})
    changes.sort(key=lambda c: c["path"])
    reaches = []
    for rel in sorted(mine):
        path = learner_root / rel
        if not path.is_file() or path.suffix not in (".py", ".ipynb"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if _REACHES.search(line.replace('\\"', '"').strip().strip('",')):
                reaches.append(f"{rel}:{number}: {line.strip()[:120]}")
    missing = sorted(rel for rel in mine if not (learner_root / rel).is_file())
    return {
        "modified": [c["path"] for c in changes],
        "changes": changes,
        "reaches_into_grader": reaches,
        "missing_exercise_files": missing,
        "note": (
            "Official files the learner changed, added or deleted are listed and ignored: the "
            "mentor's copies ran."
        ),
    }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _commit(root: Path) -> str:
    if not (root / ".git").exists():
        return ""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def build_workspace(
    mentor_root: Path, learner_root: Path, exercises: Iterable[str], where: Path
) -> Path:
    """A copy of the mentor's checkout at ``where`` with the learner's exercise files in it."""
    for rel in official_files(mentor_root):
        target = where / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(mentor_root / rel, target)
    for rel in exercises:
        source = learner_root / rel
        if source.is_file() and not source.is_symlink():
            (where / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, where / rel)  # keeps the time saved: a notebook pair's rule
    return where


# -- the mentor's own tests -----------------------------------------------------------------------
EXTRA_DIR = "mentor_tests"  # where a workspace holds the mentor's extra tests


def extra_tests(curriculum: manifest.Curriculum, folder: Path) -> dict[str, str]:
    """Map each of the mentor's extra test files to its deliverable: ``weekN/test_<name>.py``
    or ``test_<name>.py`` (when ``name`` is one week's only) beside the official
    ``test_<name>.py``. Returns {deliverable id: path relative to ``folder``}; raises ValueError
    naming every file that matches no ready deliverable, or more than one."""
    by_name: dict[str, list[manifest.Deliverable]] = {}
    for d in curriculum:
        if not d.planned:
            by_name.setdefault(Path(d.tests).name, []).append(d)
    found: dict[str, str] = {}
    problems = []
    for path in sorted(folder.rglob("test_*.py")):
        rel = path.relative_to(folder).as_posix()
        matches = by_name.get(path.name, [])
        week = rel.split("/")[0] if "/" in rel else None
        if week is not None:
            matches = [d for d in matches if f"week{d.week}" == week]
        if len(matches) != 1:
            why = "no ready exercise" if not matches else "several weeks (put it in weekN/)"
            problems.append(f"{rel}: its name matches {why}; name it after the official file")
            continue
        found[matches[0].id] = rel
    if problems:
        raise ValueError("extra tests:\n  " + "\n  ".join(problems))
    if not found:
        raise ValueError(f"no test_*.py files in {folder}")
    return found


def shard(learners: list[Path], index: int, count: int) -> list[Path]:
    """The ``index``-th of ``count`` slices (0-based, as a Kubernetes Indexed Job numbers its
    pods) of the learners sorted by folder name, dealt round-robin so slices stay even."""
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard {index}/{count}: need 0 <= I < N")
    ordered = sorted(learners, key=lambda p: p.resolve().name)
    return ordered[index::count]


# -- signatures -----------------------------------------------------------------------------------
def _canonical(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _mac(key: bytes, data: object) -> str:
    return hmac.new(key, _canonical(data), hashlib.sha256).hexdigest()


def sign(report: dict, key: bytes | None) -> dict:
    """Set ``report["signature"]``: HMAC-SHA256 over the canonical report and per deliverable,
    or a note that it is unsigned."""
    body = {k: v for k, v in report.items() if k != "signature"}
    if key is None:
        report["signature"] = {
            "algorithm": None,
            "note": "unsigned: graded without --key-file, so edits to this file cannot be detected",
        }
        return report
    report["signature"] = {
        "algorithm": "HMAC-SHA256",
        "canonical": "JSON, sorted keys, no whitespace, without 'signature'",
        "report": _mac(key, body),
        "deliverables": {d["id"]: _mac(key, d) for d in body.get("deliverables", [])},
    }
    return report


@dataclass
class CheckResult:
    ok: bool
    problems: list[str] = field(default_factory=list)


def check_report(path: Path, key: bytes) -> CheckResult:
    """Whether the report at ``path`` is exactly what was signed with ``key``; if not, what
    differs (the deliverables whose results were edited, or the rest of the report)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return CheckResult(False, [f"{path} is not a readable JSON report: {exc}"])
    signature = report.get("signature") if isinstance(report, dict) else None
    if not isinstance(signature, dict) or signature.get("algorithm") != "HMAC-SHA256":
        return CheckResult(False, [f"{path} carries no HMAC-SHA256 signature"])
    body = {k: v for k, v in report.items() if k != "signature"}
    if hmac.compare_digest(str(signature.get("report", "")), _mac(key, body)):
        return CheckResult(True)
    problems = []
    signed = signature.get("deliverables") or {}
    now = {d.get("id"): d for d in body.get("deliverables", []) if isinstance(d, dict)}
    for did in sorted(set(signed) | set(now)):
        if did not in now:
            problems.append(f"{did}: its result was removed")
        elif did not in signed:
            problems.append(f"{did}: its result was added after signing")
        elif not hmac.compare_digest(str(signed[did]), _mac(key, now[did])):
            problems.append(f"{did}: its result was changed after signing")
    if not problems:
        problems.append(
            "the report outside the deliverables' results (totals, integrity, learner, times) "
            "was changed after signing, or the key is not the one it was signed with"
        )
    return CheckResult(False, problems)


def rubrics_for(path: Path, curriculum: manifest.Curriculum, names: list[str]) -> dict[str, dict]:
    """The mentor's rubric scores per learner name: ``path`` is a folder of ``<learner>.toml``
    files, or one file that names its ``learner`` (or, with a single learner, is theirs).
    Raises :class:`grader.rubric.RubricError` with every problem of every file."""
    from grader.rubric import RubricError, load

    found: dict[str, dict] = {}
    if path.is_dir():
        for name in names:
            if (path / f"{name}.toml").is_file():
                found[name] = load(path / f"{name}.toml", curriculum).to_json()
        if unknown := sorted({p.stem for p in path.glob("*.toml")} - set(names)):
            raise RubricError(f"{path}: rubric files for learners not graded: {unknown}")
        return found
    scores = load(path, curriculum)
    owner = scores.learner or (names[0] if len(names) == 1 else "")
    if owner not in names:
        raise RubricError(
            f'{path}: say whose scores these are with `learner = "<folder name>"` (one of '
            f"{', '.join(names)}), or give a folder of <learner>.toml files"
        )
    return {owner: scores.to_json()}


def read_key(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if len(key) < 16:
        raise ValueError(f"{path}: a key of at least 16 bytes is needed, found {len(key)}")
    return key


# -- grading --------------------------------------------------------------------------------------
@dataclass
class Graded:
    name: str
    report: dict
    seconds: float
    paths: dict[str, Path]


def grade_learner(
    mentor_root: Path,
    learner_root: Path,
    out: Path,
    *,
    key: bytes | None = None,
    jobs: int = 1,
    weeks: Iterable[int] | None = None,
    memory: int = MEMORY_LIMIT,
    name: str | None = None,
    extra: Path | None = None,
    rubric: dict | None = None,
) -> Graded:
    """Grade one learner checkout into ``out`` (see the module's docstring). ``extra`` is a
    folder of the mentor's own tests (:func:`extra_tests`), run after the official ones and
    reported apart, in ``report["extra"]``."""
    start = time.monotonic()
    mentor_root, learner_root = mentor_root.resolve(), learner_root.resolve()
    curriculum = manifest.load(mentor_root)
    weeks = sorted(set(weeks)) if weeks is not None else None
    mine = exercise_files(curriculum, weeks)
    name = name or learner_root.name
    found = integrity(mentor_root, learner_root, mine)
    with tempfile.TemporaryDirectory(prefix=f"rxgrade-{name}-") as tmp:
        workspace = build_workspace(mentor_root, learner_root, mine, Path(tmp) / "checkout")
        extras = {}
        if extra is not None:
            extras = extra_tests(curriculum, extra)
            shutil.copytree(extra, workspace / EXTRA_DIR, dirs_exist_ok=True)
            for did, rel in extras.items():
                with (workspace / EXTRA_DIR / rel).open("a", encoding="utf-8") as fh:
                    # ties the file's tests to its exercise (the plugin's deliverable marker)
                    fh.write(
                        f"\n\nimport pytest as _rx\npytestmark = _rx.mark.deliverable({did!r})\n"
                    )
        (Path(tmp) / "extra.json").write_text(json.dumps(extras), encoding="utf-8")
        result = Path(tmp) / "run.json"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("RXGRADE_", "PYTEST_")) and k != "PYTHONPATH"
        }
        env.update(
            RXGRADE_HOME=str(Path(tmp) / "state"),
            RXGRADE_WORKER="off",
            PYTHONPATH=str(workspace),
        )
        command = [
            sys.executable,
            "-m",
            "grader.mentor",
            str(workspace),
            str(result),
            str(jobs),
            str(memory),
            ",".join(map(str, weeks)) if weeks is not None else "",
            str(Path(tmp) / "extra.json"),
        ]
        proc = subprocess.run(
            command, cwd=workspace, env=env, capture_output=True, text=True, check=False
        )
        if not result.is_file():
            raise RuntimeError(
                f"grading {learner_root} produced no report (exit {proc.returncode}):\n"
                + (proc.stderr or proc.stdout)[-4000:]
            )
        data = json.loads(result.read_text(encoding="utf-8"))
    report = data["run"]
    report["root"] = str(learner_root)
    report["learner"] = {
        "name": name,
        "checkout": str(learner_root),
        "commit": _commit(learner_root),
    }
    report["integrity"] = found
    report["problems"] = data["problems"]
    if extra is not None:
        report["extra"] = data["extra"]
    if rubric is not None:
        report["mentor"] = rubric  # the mentor's rubric scores, apart from the points
    report["graded_by"] = {"mentor_checkout": str(mentor_root), "commit": _commit(mentor_root)}
    sign(report, key)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out / f"{name}.json",
        "markdown": out / f"{name}.md",
        "junit": out / f"{name}.xml",
    }
    paths["json"].write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    paths["markdown"].write_text(_markdown(report), encoding="utf-8")
    _junit(report).write(paths["junit"], encoding="utf-8", xml_declaration=True)
    return Graded(name, report, round(time.monotonic() - start, 2), paths)


def _markdown(report: dict) -> str:
    learner = report["learner"]
    lines = [
        f"# {learner['name']}: {report['earned']:g} / {report['points']} points",
        "",
        f"Checkout `{learner['checkout']}`"
        + (f" at `{learner['commit']}`" if learner["commit"] else ""),
        "",
        "| exercise | state | points | tests |",
        "|---|---|---|---|",
    ]
    for d in report["deliverables"]:
        if d.get("planned"):
            continue
        counts = {}
        for t in d["tests"]:
            counts[t["outcome"]] = counts.get(t["outcome"], 0) + 1
        shown = ", ".join(f"{n} {o}" for o, n in sorted(counts.items())) or "none ran"
        lines.append(f"| {d['id']} | {d['state']} | {d['earned']:g} / {d['points']} | {shown} |")
    found = report["integrity"]
    lines += ["", "## Integrity", ""]
    if found["changes"]:
        lines.append(
            "Official files changed in the learner's checkout (ignored; the mentor's ran):"
        )
        lines += [f"- `{c['path']}` ({c['change']})" for c in found["changes"]]
    else:
        lines.append("No official file was changed.")
    if found["reaches_into_grader"]:
        lines += ["", "Exercise code that reaches into the grader:"]
        lines += [f"- `{r}`" for r in found["reaches_into_grader"]]
    if report.get("extra"):
        lines += ["", "## The mentor's extra tests (not counted in the points)", ""]
        for did, extra in sorted(report["extra"].items()):
            counts = ", ".join(f"{n} {o}" for o, n in sorted(extra["counts"].items()))
            verdict = "passing" if extra["passing"] else "NOT passing"
            lines.append(f"- {did}: {verdict} ({counts or 'no tests ran'}), `{extra['file']}`")
    if report.get("mentor"):
        scores = report["mentor"]
        lines += ["", f"## Mentor rubric ({scores['mentor']}, {scores['date']})", ""]
        lines += [
            f"- {s['id']}: {s['score']:g} / {s['max']:g}"
            + (f" ({s['comment']})" if s.get("comment") else "")
            for s in scores["scores"]
        ]
    if report["problems"]:
        lines += ["", "## Exercises that ended early", ""]
        lines += [f"- {did}: {what}" for did, what in sorted(report["problems"].items())]
    signature = report["signature"]
    lines += ["", "## Signature", ""]
    if signature.get("algorithm"):
        lines.append(f"HMAC-SHA256 `{signature['report']}` (check with `rxgrade grade --check`).")
    else:
        lines.append(signature["note"])
    return "\n".join(lines) + "\n"


def _junit(report: dict) -> ET.ElementTree:
    suites = ET.Element("testsuites", name=f"rxgrade {report['learner']['name']}")
    for d in report["deliverables"]:
        if d.get("planned") or not d["tests"]:
            continue
        suite = ET.SubElement(suites, "testsuite", name=d["id"], tests=str(len(d["tests"])))
        failures = skipped = 0
        for t in d["tests"]:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=d["id"],
                name=t["nodeid"].rsplit("::", 1)[-1],
                time=str(t.get("duration", 0)),
            )
            if t["outcome"] in ("failed", "not started"):
                failures += 1
                ET.SubElement(case, "failure", message=f"{t['outcome']}: {t['message']}"[:1000])
            elif t["outcome"] == "skipped":
                skipped += 1
                ET.SubElement(case, "skipped", message=t["message"][:1000])
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
    return ET.ElementTree(suites)


def _run_in_workspace(
    workspace: Path, result: Path, jobs: int, memory: int, weeks: str, extra: Path
) -> None:
    """The per-learner grading process (``python -m grader.mentor``), run inside the workspace."""
    import dataclasses

    from grader import isolate
    from grader.results import summarise

    curriculum = manifest.load(workspace)
    chosen = {int(w) for w in weeks.split(",") if w} or None
    deliverables = [d for d in curriculum if not d.planned and (chosen is None or d.week in chosen)]
    isolate.warm(isolate.warm_list(workspace, deliverables))
    runs = isolate.run_exercises(
        workspace,
        deliverables,
        args=["--target=learner", "-q", "--rxgrade-summary=no", "--color=no"],
        jobs=jobs,
        memory=memory,
        loopback_only=True,
    )
    run: Run = summarise(curriculum, isolate.outcomes(runs), "learner", chosen)
    problems = {r.id: r.problem for r in runs if r.problem}
    extras = json.loads(extra.read_text(encoding="utf-8"))
    extra_runs = isolate.run_exercises(
        workspace,
        [
            dataclasses.replace(curriculum[did], tests=f"{EXTRA_DIR}/{rel}")
            for did, rel in extras.items()
            if chosen is None or curriculum[did].week in chosen
        ],
        args=["--target=learner", "-q", "--rxgrade-summary=no", "--color=no"],
        jobs=jobs,
        memory=memory,
        loopback_only=True,
    )
    extra_report = {}
    for r in extra_runs:
        counts: dict[str, int] = {}
        for t in r.tests:
            counts[t.outcome] = counts.get(t.outcome, 0) + 1
        extra_report[r.id] = {
            "file": f"{EXTRA_DIR}/{extras[r.id]}",
            "counts": counts,
            "passing": bool(r.tests) and counts.get("passed", 0) == len(r.tests),
            "tests": [dataclasses.asdict(t) for t in r.tests],
            "problem": r.problem,
        }
    data = {"run": run.to_json(), "problems": problems, "extra": extra_report}
    result.write_text(json.dumps(data), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - run by grade_learner in a subprocess
    _run_in_workspace(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
        sys.argv[5],
        Path(sys.argv[6]),
    )
