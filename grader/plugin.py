"""The rxgrade pytest plugin: target switching, "not started" stubs, per-deliverable summary.

Registered through the ``pytest11`` entry point. It stays inert unless the rootdir (or an
ancestor) holds ``curriculum.toml``.

Fixtures for exercise tests (the test file is mapped to its deliverable by the manifest):

- ``impl``: the module under test, ``weeks.weekN.x`` or ``solutions.weekN.x`` by ``--target``;
- ``target_path``: the file under test (stub or solution), for notebooks and written work;
- ``deliverable``: the manifest entry; ``target``: ``"learner"`` or ``"solution"``;
- ``notebook_run``: the notebook under test executed once per file (``.results``, ``.cwd``);
- ``exercise``: ``exercise("week1.vit")`` is another entry's module for the same target, and
  ``exercise.path("week1.vit")`` its file (capstones assemble the learner's own pieces).
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
from dataclasses import asdict
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest
from rich.console import Console

from grader import manifest
from grader._target import (
    ENV_LEARNER_ROOT,
    activate_learner_root,
    import_target,
    resolve_target,
)
from grader.isolate import ENV_TOKEN
from grader.notebooks import LazyNotebookRun, NotebookRun
from grader.results import Run, TestOutcome, summarise
from grader.state import State

if TYPE_CHECKING:
    from grader.mutant_session import MutantSession
    from grader.mutants import Mutant

__all__ = ["ExerciseResolver", "Grader"]

GRADER_KEY = pytest.StashKey["Grader"]()
DELIVERABLE_KEY = pytest.StashKey[manifest.Deliverable]()


class _NotStarted(pytest.skip.Exception, NotImplementedError):
    """A graded property test's body raised NotImplementedError (the stub is untouched).

    Hypothesis treats any other exception as a bug to shrink and explain (about a second per
    test); a skip exception it passes straight through, so the plugin raises this one, which
    is both, and reports the test "not started" from the NotImplementedError it wraps.
    """


def _stop_at_not_implemented(test):
    """Wrap a Hypothesis test's inner function so an untouched stub ends it at once.

    ``functools.wraps`` keeps what Hypothesis derives from the function (with ``derandomize``,
    the seed comes from its source and signature): the same examples are drawn as without the
    wrapper, so a grade does not change with it."""

    @functools.wraps(test)
    def inner(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        except NotImplementedError as exc:
            if isinstance(exc, _NotStarted):
                raise
            raise _NotStarted(str(exc) or "not started") from exc

    inner.rxgrade_guard = True
    return inner


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rxgrade", "RxVision25 grading")
    group.addoption(
        "--target",
        choices=("learner", "solution"),
        default=None,
        help="Grade the learner's stubs in weeks/ (default) or the reference solutions/. "
        "Also: ini rxgrade_target, env RXGRADE_TARGET.",
    )
    group.addoption(
        "--rxgrade-learner-root",
        default=None,
        metavar="DIR",
        help="Import weeks/ from another checkout (mentor grading). Env RXGRADE_LEARNER_ROOT.",
    )
    group.addoption(
        "--rxgrade-mutant",
        action="append",
        default=None,
        metavar="ID[:NAME]",
        help="Grade the mutants of an exercise (weekN.name) or one of them (weekN.name:mutant) "
        "instead of the target, to check that the tests catch them. Repeatable.",
    )
    group.addoption("--rxgrade-json", default=None, metavar="PATH", help="Write a JSON report.")
    group.addoption(
        "--rxgrade-report-fd",
        default=None,
        type=int,
        metavar="FD",
        help="Stream each test's outcome to this file descriptor, one line per event, prefixed "
        "by the token in env RXGRADE_REPORT_TOKEN (grader.isolate reads it).",
    )
    group.addoption(
        "--rxgrade-markdown", default=None, metavar="PATH", help="Write a Markdown report."
    )
    group.addoption(
        "--rxgrade-summary",
        choices=("auto", "yes", "no"),
        default="auto",
        help="Per-deliverable summary at the end (auto: when exercise tests ran).",
    )
    parser.addini("rxgrade_target", "learner or solution", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "deliverable(id): tie a test to a curriculum entry (default: by its test file)"
    )
    config.addinivalue_line(
        "markers",
        "clause(*ids): the clauses of the stub's spec (written [#id] in its docstrings) that "
        "this test checks; rxgrade verify reports clauses no test checks",
    )
    try:
        root = manifest.find_root(Path(str(config.rootpath)), installed=False)
        curriculum = manifest.load(root)
    except FileNotFoundError:
        return
    target = resolve_target(config.getoption("target"), config.getini("rxgrade_target"))
    learner_root = config.getoption("rxgrade_learner_root") or _env_learner_root()
    if learner_root:
        activate_learner_root(Path(learner_root))
    grader = Grader(config, curriculum, target, Path(learner_root or root))
    config.stash[GRADER_KEY] = grader
    config.pluginmanager.register(grader, "rxgrade-grader")
    if keys := config.getoption("rxgrade_mutant"):
        from grader.mutant_session import MutantSession, select

        grader.mutant_session = MutantSession(curriculum, select(curriculum, keys))
        config.pluginmanager.register(grader.mutant_session, "rxgrade-mutants")
    # service fixtures (redis_url, postgres_url, ...) for exercise tests
    config.pluginmanager.import_plugin("grader.services")
    _hypothesis_profile(config)


def _hypothesis_profile(config: pytest.Config) -> None:
    """Graded property tests are reproducible (the same examples every run), untimed (timings
    are not behaviour) and may use ``impl`` (a function-scoped fixture). An explicit
    ``--hypothesis-profile`` or ``@settings`` still wins; Hypothesis's own ``ci`` profile (chosen
    when ``CI`` is set) does not, or a graded run would differ between a laptop and CI."""
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # pragma: no cover - hypothesis is a dependency
        return
    settings.register_profile(
        "rxgrade",
        derandomize=True,
        deadline=None,
        max_examples=60,
        database=None,
        print_blob=False,
        report_multiple_bugs=False,  # one failure, not an exception group, for a learner
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    try:
        chosen = config.getoption("hypothesis_profile")
    except ValueError:  # the hypothesis pytest plugin is not loaded
        chosen = None
    if chosen is None:
        settings.load_profile("rxgrade")


def _env_learner_root() -> str | None:
    return os.environ.get(ENV_LEARNER_ROOT) or None


class Grader:
    """Collects outcomes per deliverable during a run and reports them at the end."""

    def __init__(
        self,
        config: pytest.Config,
        curriculum: manifest.Curriculum,
        target: str,
        learner_root: Path,
    ) -> None:
        self.config = config
        self.curriculum = curriculum
        self.target = target
        self.learner_root = learner_root
        self.outcomes: dict[str, list[TestOutcome]] = {}
        self.weeks: set[int] = set()
        self.run: Run | None = None
        self.mutant_session: MutantSession | None = None
        # exercise id -> why its remaining tests do not run (an earlier test timed out, or the
        # module under test does not import): one clear failure, not the same one fifty times
        self.stopped: dict[str, str] = {}
        # taken out of the environment before any code under test runs
        self._token = os.environ.pop(ENV_TOKEN, "")
        self._report_fd: int | None = config.getoption("rxgrade_report_fd", None)

    def _emit(self, event: dict) -> None:
        """One event to the parent (grader.isolate), when it asked for them."""
        if self._report_fd is None:
            return
        line = f"{self._token} {json.dumps(event)}\n".encode()
        try:
            while line:
                line = line[os.write(self._report_fd, line) :]
        except OSError:
            self._report_fd = None

    def pytest_report_header(self) -> list[str]:
        where = "the reference solutions/" if self.target == "solution" else "your stubs in weeks/"
        lines = [f"rxgrade: grading {where} (--target {self.target}); root {self.learner_root}"]
        if self.mutant_session is not None:
            lines.append(f"rxgrade: mutation run of {len(self.mutant_session.mutants)} mutant(s)")
        return lines

    # -- collection --------------------------------------------------------------------------
    def deliverable_of(self, item: pytest.Item) -> manifest.Deliverable | None:
        marker = item.get_closest_marker("deliverable")
        if marker is not None:
            return self.curriculum[marker.args[0]]
        try:
            rel = item.path.resolve().relative_to(self.curriculum.root).as_posix()
        except ValueError:
            return None
        return self.curriculum.by_test_path(rel)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            deliverable = self.deliverable_of(item)
            if deliverable is None:
                continue
            item.stash[DELIVERABLE_KEY] = deliverable
            item.user_properties.append(("deliverable", deliverable.id))
            clauses = sorted({c for m in item.iter_markers("clause") for c in m.args})
            if clauses:
                item.user_properties.append(("clauses", clauses))
            self.weeks.add(deliverable.week)
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(deliverable.timeout))
            handle = getattr(getattr(item, "obj", None), "hypothesis", None)
            inner = getattr(handle, "inner_test", None)
            if inner is not None and not getattr(inner, "rxgrade_guard", False):
                handle.inner_test = _stop_at_not_implemented(inner)

    # -- outcomes ----------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        """A stub that still raises NotImplementedError: "not started", with no traceback.

        Built here rather than by pytest because formatting a traceback re-parses every source
        file along it: 0.1 s per test, 15 s for the 140 untouched tests of one exercise.
        """
        if (
            DELIVERABLE_KEY not in item.stash
            or call.excinfo is None
            or not call.excinfo.errisinstance(NotImplementedError)
        ):
            return None
        sections = [
            (f"Captured {key} {when}", content) for when, key, content in item._report_sections
        ]
        report = pytest.TestReport(
            nodeid=item.nodeid,
            location=item.location,
            keywords=dict.fromkeys(item.keywords, 1),
            outcome="failed",
            longrepr="not started: " + self._not_started_message(call.excinfo),
            when=call.when,
            sections=sections,
            duration=call.duration,
            start=call.start,
            stop=call.stop,
            user_properties=item.user_properties,
        )
        report.rxgrade_not_started = True
        return report

    def _not_started_message(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:
        """Where the learner's code still raises: the stub's line, or the raiser's own words."""
        if isinstance(excinfo.value, _NotStarted) and excinfo.value.__cause__ is not None:
            excinfo = pytest.ExceptionInfo.from_exception(excinfo.value.__cause__)
        entry = excinfo.traceback[-1]
        where = Path(str(entry.path)).resolve()
        root = self.learner_root.resolve()
        detail = str(excinfo.value).strip().splitlines()
        in_stub = where.is_relative_to(root / "weeks") and "tests" not in where.parts
        if in_stub or not detail:
            if where.is_relative_to(root):
                where = where.relative_to(root)
            return (
                f"{entry.name}() in {where.as_posix()}:{entry.lineno + 1} "
                "still raises NotImplementedError"
            )
        return detail[0]

    def pytest_runtest_logstart(self, nodeid: str, location: tuple) -> None:
        self._emit({"event": "start", "nodeid": nodeid})

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        deliverable = item.stash.get(DELIVERABLE_KEY, None)
        reason = self.stopped.get(deliverable.id) if deliverable is not None else None
        if reason and self.mutant_session is None:
            pytest.fail(reason, pytrace=False)

    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config):
        if getattr(report, "rxgrade_not_started", False):
            return "not started", "N", ("NOT STARTED", {"yellow": True})
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        deliverable_id = dict(report.user_properties).get("deliverable")
        if deliverable_id is None:
            return
        if report.when != "call" and not (report.failed or report.skipped):
            return
        if getattr(report, "rxgrade_not_started", False):
            outcome = "not started"
            message = str(report.longrepr).removeprefix("not started: ")
        elif report.skipped:
            outcome = "skipped"
            message = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            message = message.removeprefix("Skipped: ")
        elif report.failed:
            outcome, message = "failed", _crash_message(report)
        else:
            outcome, message = "passed", ""
        tests = self.outcomes.setdefault(deliverable_id, [])
        if tests and tests[-1].nodeid == report.nodeid:
            if outcome == "passed" or tests[-1].outcome != "passed":
                return  # the call's outcome stands; only a teardown failure overrides a pass
            tests.pop()
        clauses = list(dict(report.user_properties).get("clauses", []))
        test = TestOutcome(report.nodeid, outcome, round(report.duration, 3), message, clauses)
        tests.append(test)
        self._emit({"event": "test", "deliverable": deliverable_id, "test": asdict(test)})
        if outcome == "failed" and _TIMEOUT.search(message) and deliverable_id not in self.stopped:
            name = report.nodeid.rsplit("::", 1)[-1]
            self.stopped[deliverable_id] = (
                f"not run: {name} did not finish within its time limit; make it finish first "
                "(an endless loop?), then the other tests run again"
            )

    # -- reporting ---------------------------------------------------------------------------
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._emit({"event": "done", "exitstatus": int(exitstatus)})
        if self._report_fd is not None:
            os.close(self._report_fd)
            self._report_fd = None
        if not self.weeks:
            return
        self.run = summarise(self.curriculum, self.outcomes, self.target, self.weeks)
        self.run.root = str(self.learner_root)
        if self.mutant_session is not None:
            self.run.mutants = self.mutant_session.report()
        if path := self.config.getoption("rxgrade_json"):
            self.run.write_json(Path(path))
        if path := self.config.getoption("rxgrade_markdown"):
            from grader.report import write_markdown

            write_markdown(self.run, Path(path))

    def pytest_terminal_summary(self, terminalreporter) -> None:
        choice = self.config.getoption("rxgrade_summary")
        if self.run is None or choice == "no":
            return
        from grader.render import summary_table, what_next

        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=terminalreporter.hasmarkup,
            width=max(terminalreporter._tw.fullwidth, 100),
            highlight=False,
        )
        console.print(summary_table(self.run))
        console.print(what_next(self.run, self.curriculum, State(self.learner_root)))
        terminalreporter.section("rxgrade")
        terminalreporter.write(buffer.getvalue())


_TIMEOUT = re.compile(r"^Timeout \(?>")  # pytest-timeout's "Timeout (>2.0s) from pytest-timeout."


def _import_problem(exc: BaseException, deliverable: manifest.Deliverable, root: Path) -> str:
    """Where and why the module under test does not import, in a few lines (no traceback)."""

    def shown(path: str | None) -> str:
        if not path:
            return deliverable.module
        resolved = Path(path).resolve()
        base = root.resolve()
        return resolved.relative_to(base).as_posix() if resolved.is_relative_to(base) else path

    if isinstance(exc, SyntaxError):
        lines = [f"{shown(exc.filename)}:{exc.lineno}: {type(exc).__name__}: {exc.msg}"]
        if exc.text:
            text = exc.text.rstrip("\n")
            lines.append("    " + text.strip())
            if exc.offset:
                indent = len(text) - len(text.lstrip())
                lines.append("    " + " " * max(0, exc.offset - 1 - indent) + "^")
        return "\n".join(lines)
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if not Path(f.filename).resolve().is_relative_to(_GRADER_DIR)]
    frame = mine[-1] if mine else (frames[-1] if frames else None)
    where = f"{shown(frame.filename)}:{frame.lineno}: " if frame else ""
    detail = str(exc).strip().splitlines()
    return (
        f"{where}{type(exc).__name__}: {detail[0] if detail else ''} (raised while importing the "
        "module under test)"
    )


_GRADER_DIR = Path(__file__).resolve().parent


def _crash_message(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    # pytest.fail's "Failed: " says nothing a learner needs
    return lines[0].removeprefix("Failed: ")[:300] if lines else "failed"


# -- fixtures ---------------------------------------------------------------------------------
def _grader(request: pytest.FixtureRequest) -> Grader:
    try:
        return request.config.stash[GRADER_KEY]
    except KeyError:
        pytest.fail("rxgrade found no curriculum.toml above the rootdir", pytrace=False)


@pytest.fixture
def deliverable(request: pytest.FixtureRequest) -> manifest.Deliverable:
    """The curriculum entry this test grades."""
    try:
        return request.node.stash[DELIVERABLE_KEY]
    except KeyError:
        pytest.fail(
            f"{request.node.nodeid} is not the test file of any entry in curriculum.toml "
            "(set `tests = ...` on the entry, or mark the test with @pytest.mark.deliverable)",
            pytrace=False,
        )


@pytest.fixture
def target(request: pytest.FixtureRequest) -> str:
    """``"learner"`` or ``"solution"``."""
    return _grader(request).target


@pytest.fixture
def rxgrade_mutant() -> Mutant | None:
    """The mutant this test grades (parametrized by ``--rxgrade-mutant``), else None."""
    return None


@pytest.fixture
def impl(
    request: pytest.FixtureRequest,
    deliverable: manifest.Deliverable,
    target: str,
    rxgrade_mutant: Mutant | None,
) -> ModuleType:
    """The module under test: the learner's stub, the reference solution, or a mutant."""
    if rxgrade_mutant is not None:
        return _session(request).module(request, rxgrade_mutant)
    grader = _grader(request)
    try:
        return import_target(deliverable, target)
    except NotImplementedError:
        raise  # a stub called at import: "not started"
    except Exception as exc:  # noqa: BLE001 - any failure to import is reported the same way
        root = grader.learner_root if target == "learner" else grader.curriculum.root
        problem = _import_problem(exc, deliverable, root)
    first = problem.splitlines()[0]
    grader.stopped.setdefault(
        deliverable.id, f"not run: the module under test does not import ({first})"
    )
    pytest.fail(problem, pytrace=False)  # outside `except`: no chained traceback to read


@pytest.fixture
def reference(deliverable: manifest.Deliverable) -> ModuleType:
    """The reference solution's module, whatever the target: differential tests run the
    learner's callable and this one on the same inputs (:mod:`grader.differential`)."""
    return import_target(deliverable, "solution")


@pytest.fixture(scope="session")
def semantic() -> ModuleType:
    """:mod:`grader.semantic` (sentence embeddings), for tests that must understand words. Its
    model loads on first use (seconds, once per process): put those tests last in their file, so
    a stub or a mutant that fails a cheaper test first never loads it."""
    from grader import semantic

    return semantic


@pytest.fixture
def target_path(
    request: pytest.FixtureRequest,
    deliverable: manifest.Deliverable,
    target: str,
    rxgrade_mutant: Mutant | None,
) -> Path:
    """The file under test (stub, solution, or a mutant's): notebooks and written work."""
    if rxgrade_mutant is not None:
        return _session(request).path(request, rxgrade_mutant)
    return _file_for(_grader(request), deliverable, target)


def _session(request: pytest.FixtureRequest) -> MutantSession:
    session = _grader(request).mutant_session
    assert session is not None, "rxgrade_mutant is parametrized only in a mutation run"
    return session


def _file_for(grader: Grader, deliverable: manifest.Deliverable, target: str) -> Path:
    base = grader.learner_root if target == "learner" else grader.curriculum.root
    return base / deliverable.path_for(target)


@pytest.fixture
def notebook_run(
    request: pytest.FixtureRequest,
    target_path: Path,
    target: str,
    deliverable: manifest.Deliverable,
    rxgrade_mutant: Mutant | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> NotebookRun:
    """The notebook under test, run headless once per file in a fresh directory, when a test
    first reads ``.results`` or ``.cwd`` (so a broken notebook fails the test, not its set-up).

    For the learner, the file of the pair (``.py`` or ``.ipynb``) saved last; the test's report
    names it (user property ``graded_file``, report section ``rxgrade``). The solution and
    mutants are always the ``.py``. Its cells get 80% of the entry's timeout; a stub cell's
    NotImplementedError makes every test of the notebook "not started".
    """
    from grader.notebooks import graded_note, notebook_to_grade

    path = target_path
    if target == "learner" and rxgrade_mutant is None:
        path = notebook_to_grade(target_path)
        root = _grader(request).learner_root
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        request.node.user_properties.append(("graded_file", shown.as_posix()))
        request.node.add_report_section("setup", "rxgrade", graded_note(path, root))
    return LazyNotebookRun(
        path,
        cwd=lambda: tmp_path_factory.mktemp(deliverable.name),
        timeout=0.8 * deliverable.timeout,
        env={"RXGRADE_TARGET": target},
    )


class ExerciseResolver:
    """Resolve other manifest entries for the target under test: ``exercise("week1.vit")``."""

    def __init__(self, grader: Grader, target: str) -> None:
        self._grader = grader
        self._target = target

    def _entry(self, deliverable_id: str) -> manifest.Deliverable:
        try:
            return self._grader.curriculum[deliverable_id]
        except KeyError:
            pytest.fail(f"{deliverable_id} is not an entry of curriculum.toml", pytrace=False)

    def __call__(self, deliverable_id: str) -> ModuleType:
        """The module of ``deliverable_id``: the learner's file, or the solution."""
        return import_target(self._entry(deliverable_id), self._target)

    def path(self, deliverable_id: str) -> Path:
        """The file of ``deliverable_id`` (notebooks and written work) for the same target."""
        return _file_for(self._grader, self._entry(deliverable_id), self._target)


@pytest.fixture
def exercise(request: pytest.FixtureRequest, target: str) -> ExerciseResolver:
    """Other exercises' modules for the same target, for capstones that assemble them."""
    return ExerciseResolver(_grader(request), target)


@pytest.fixture
def rx_root(request: pytest.FixtureRequest) -> Path:
    """The repository root (where curriculum.toml lives)."""
    return _grader(request).curriculum.root
