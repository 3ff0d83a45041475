"""Grade each exercise in a process of its own, so a broken or hostile exercise costs only itself.

``rxgrade status``, ``check`` and ``watch`` grade through :func:`run_exercises`. Every exercise's
tests run in a child process forked from this one (after :func:`warm` has imported the heavy
libraries once, so a child starts in milliseconds, not seconds), with:

- **results over a pipe**, one line per test as it finishes, each prefixed by a random token the
  child's plugin takes out of the environment before any learner code runs
  (``--rxgrade-report-fd``, :mod:`grader.plugin`). Nothing is read back from a file the
  learner's code could rewrite, and the child leaves with ``os._exit`` after pytest, so an
  ``atexit`` hook of the learner's never runs;
- **a hard wall-time limit**: when no test has finished for the exercise's per-test timeout plus
  :data:`GRACE` seconds (a loop inside C code, where pytest-timeout's signal cannot land), the
  child's whole process group is killed and the test that was running is reported as failing
  with what happened;
- **a bounded record of output**: the first and last :data:`OUTPUT_CAP` bytes of what the child
  printed are kept, the middle is counted and dropped, and the child never blocks on a full pipe.

Whatever ends a child early (``os._exit``, ``sys.exit`` outside a test, a ``KeyboardInterrupt``
raised by the learner's code, a crash, the wall-time kill) ends as a truthful "failing" for that
exercise, naming the test that was running and what ended it; the other exercises' results are
untouched.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import functools
import gc
import importlib
import json
import os
import re
import secrets
import selectors
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.manifest import Deliverable
from grader.results import TestOutcome

__all__ = [
    "ENV_TOKEN",
    "GRACE",
    "OUTPUT_CAP",
    "WARM_MODULES",
    "WARM_MORE",
    "ExerciseRun",
    "warm_list",
    "outcomes",
    "run_exercises",
    "warm",
]

#: Environment variable that carries the report token to the child's plugin (which removes it).
ENV_TOKEN = "RXGRADE_REPORT_TOKEN"
#: Seconds past an exercise's per-test timeout without a finished test before its child is killed.
GRACE = 30.0
#: Bytes of a child's output kept at its start and again at its end.
OUTPUT_CAP = 64 * 1024
#: Imported once by :func:`warm`, before the first fork: what most exercises' tests import.
WARM_MODULES = (
    "numpy",
    "torch",
    "timm",
    "PIL.Image",
    "scipy.special",
    "hypothesis",
    "jupytext",  # notebook exercises
    "nbclient",
    "_pytest.pytester",
    "grader.plugin",
    "grader.services",
)

#: Imported too where many exercises are graded from one parent (the resident worker, a whole
#: course, mentor grading): seconds more once, seconds less for each exercise that uses them.
WARM_MORE = (
    "torchvision",
    "torchmetrics",  # 5 s on its own (it imports parts of transformers and scipy.signal)
    "onnx",
    "onnxruntime",
    "sklearn",
    "fastapi",
)

_EXERCISE_PACKAGES = ("weeks", "solutions")
_EXIT_STATUS = {2: "interrupted", 3: "an internal error of pytest", 4: "a usage error"}


@dataclass
class ExerciseRun:
    """What one exercise's child reported, and how it ended."""

    id: str
    tests: list[TestOutcome] = field(default_factory=list)
    output: str = ""  # what the child printed (pytest's own report included), capped
    seconds: float = 0.0
    ended: str = "finished"  # finished | interrupted | exited | killed
    exitstatus: int | None = None
    problem: str = ""  # what ended the child early, for the learner; "" when it finished


#: Imports that mean "this course needs the heavy libraries" (the course's own packages import
#: torch and friends themselves).
_HEAVY = frozenset(
    {m.split(".")[0] for m in (*WARM_MODULES, *WARM_MORE)} - {"hypothesis", "_pytest", "grader"}
) | {"rxvision", "solutions"}


def warm_list(root: Path, deliverables: Iterable[Deliverable]) -> tuple[str, ...]:
    """What to warm before grading ``deliverables``: everything in :data:`WARM_MODULES` and
    :data:`WARM_MORE` when their tests or stubs import a heavy library (or the course's own
    packages, which do), else only the grader's own modules (a small course starts at once)."""
    import ast

    for d in deliverables:
        for rel in (d.tests, d.module):
            path = root / rel
            if path.suffix != ".py" or not path.is_file():
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and not node.level
                    else []
                )
                if any(name.split(".")[0] in _HEAVY for name in names):
                    return (*WARM_MODULES, *WARM_MORE)
    return ("hypothesis", "_pytest.pytester", "grader.plugin", "grader.services")


def warm(modules: Iterable[str] = WARM_MODULES) -> float:
    """Import ``modules`` in this process (the fork parent), skipping any not installed; returns
    the seconds it took.

    Then moves every object alive into the garbage collector's permanent generation
    (``gc.freeze``): a child's collections (pytest runs several) no longer walk torch's millions
    of objects, about a second per exercise, and its pages stay shared with the parent.
    """
    start = time.perf_counter()
    for name in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    _pytest_plugins()
    gc.collect()
    gc.freeze()
    if not _unfreeze_registered:
        # frozen objects are never freed: some extension modules report them as leaks at exit
        atexit.register(gc.unfreeze)
        _unfreeze_registered.append(True)
    return time.perf_counter() - start


_unfreeze_registered: list[bool] = []


@functools.cache
def _pytest_plugins() -> tuple[tuple[str, str], ...]:
    """The installed pytest plugins, ``(entry point name, module)``: found once in the parent,
    because scanning every installed distribution's metadata costs a child over half a
    second."""
    from importlib.metadata import entry_points

    return tuple((ep.name, ep.module) for ep in entry_points(group="pytest11"))


def _plugin_args(args: Sequence[str]) -> list[str]:
    """Load the installed plugins by module name with autoloading off (the scan is done), except
    those ``args`` turn off with ``-p no:NAME``."""
    blocked = {a.removeprefix("no:") for a in args if a.startswith("no:")}
    blocked |= {a.removeprefix("-pno:") for a in args if a.startswith("-pno:")}
    out = ["--disable-plugin-autoload"]
    for name, module in _pytest_plugins():
        if name not in blocked and module not in blocked:
            out += ["-p", module]
    return out


@dataclass
class _Child:
    deliverable: Deliverable
    pid: int
    report: int  # read ends
    output: int
    token: str
    started: float
    last_event: float
    buffer: bytes = b""
    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    dropped: int = 0
    running: str | None = None  # nodeid of the test that started and has not finished
    tests: list[TestOutcome] = field(default_factory=list)
    exitstatus: int | None = None  # as the plugin reported it at the end of the session
    open: set[int] = field(default_factory=set)  # its read ends not yet at EOF (and closed)
    killed: bool = False
    grace: float = GRACE

    @property
    def limit(self) -> float:
        """Seconds without a finished test after which the child is killed."""
        return self.deliverable.timeout + self.grace

    def keep(self, data: bytes) -> None:
        if len(self.head) < OUTPUT_CAP:
            room = OUTPUT_CAP - len(self.head)
            self.head += data[:room]
            data = data[room:]
        self.tail += data
        if len(self.tail) > OUTPUT_CAP:
            self.dropped += len(self.tail) - OUTPUT_CAP
            del self.tail[: len(self.tail) - OUTPUT_CAP]

    def text(self) -> str:
        middle = f"\n[… {self.dropped:,} bytes of output left out …]\n" if self.dropped else ""
        return (bytes(self.head).decode(errors="replace") + middle) + bytes(self.tail).decode(
            errors="replace"
        )

    def feed(self, data: bytes) -> None:
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        prefix = self.token.encode() + b" "
        for line in lines:
            if not line.startswith(prefix):
                continue  # not from the plugin: ignored
            try:
                event = json.loads(line[len(prefix) :])
            except ValueError:
                continue
            self.last_event = time.monotonic()
            kind = event.get("event")
            if kind == "start":
                self.running = event.get("nodeid")
            elif kind == "test":
                test = TestOutcome(**event["test"])
                if self.tests and self.tests[-1].nodeid == test.nodeid:
                    self.tests[-1] = test  # a teardown failure overrides the call's pass
                else:
                    self.tests.append(test)
                if self.running == test.nodeid:
                    self.running = None
            elif kind == "done":
                self.exitstatus = int(event.get("exitstatus", 0))


def _child(
    root: Path,
    deliverable: Deliverable,
    args: Sequence[str],
    token: str,
    report: int,
    output: int,
    env: dict[str, str] | None,
    memory: int | None = None,
    loopback_only: bool = False,
) -> None:
    """In the forked child: run pytest on the exercise's tests; never returns."""
    code = 3
    try:
        os.setpgid(0, 0)  # its own process group: a kill reaches kernels and servers it started
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        # nothing else of the parent's stays open in the child (its other children's pipes,
        # its own files): only the standard streams and the report pipe
        limit = min(os.sysconf("SC_OPEN_MAX"), 65536)
        os.closerange(3, report)
        os.closerange(report + 1, limit)
        # the child's own stream objects: the parent's may have been locked by another of its
        # threads at the moment of the fork, and would stay locked here
        sys.stdin = sys.__stdin__ = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = sys.__stdout__ = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # on SIGUSR1 (sent just before the wall-time kill) every thread's stack goes to the
        # output, so the report can say where the code was stuck, even inside C code
        # (a descriptor of its own: pytest points 1 and 2 elsewhere while a test runs)
        faulthandler.register(signal.SIGUSR1, file=os.dup(2), all_threads=True)
        os.chdir(root)
        # as `python -m pytest` in ``root`` would see it: ``root`` first on the path, and no
        # exercise module a previous run in the parent may have imported from elsewhere
        sys.path.insert(0, str(root))
        for name in list(sys.modules):
            if name.split(".", 1)[0] in _EXERCISE_PACKAGES:
                del sys.modules[name]
        importlib.invalidate_caches()
        if env is not None:  # the caller's environment (the resident worker's callers)
            os.environ.clear()
            os.environ.update(env)
        os.environ[ENV_TOKEN] = token
        if memory is not None:
            _limit_address_space(memory)
        if loopback_only:
            sys.addaudithook(_loopback_only)
        import pytest

        code = int(
            pytest.main(
                [
                    deliverable.tests,
                    f"--rxgrade-report-fd={report}",
                    "-p",
                    "no:cacheprovider",
                    "-o",
                    "addopts=--import-mode=importlib",
                    *_plugin_args(args),
                    *args,
                ]
            )
        )
    except BaseException:  # noqa: BLE001 - the child reports anything and leaves
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _start(
    root: Path,
    deliverable: Deliverable,
    args: Sequence[str],
    grace: float,
    env: dict[str, str] | None = None,
    memory: int | None = None,
    loopback_only: bool = False,
) -> _Child:
    token = secrets.token_hex(16)
    report_r, report_w = os.pipe()
    output_r, output_w = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    if threading.active_count() > 1:
        # a lock another thread holds at the fork stays held in the child: callers fork from a
        # single thread (the CLI draws its progress by hand; the worker has no other thread)
        warnings.warn(
            f"grader.isolate forks with {threading.active_count()} threads running; a child "
            "may hang on a lock one of them held",
            RuntimeWarning,
            stacklevel=3,
        )
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which leaves with os._exit
        os.close(report_r)
        os.close(output_r)
        _child(root, deliverable, args, token, report_w, output_w, env, memory, loopback_only)
    os.close(report_w)
    os.close(output_w)
    now = time.monotonic()
    return _Child(
        deliverable,
        pid,
        report_r,
        output_r,
        token,
        now,
        now,
        open={report_r, output_r},
        grace=grace,
    )


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", ""})


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _loopback_only(event: str, args: tuple) -> None:
    """An audit hook (PEP 578: once added, Python code cannot remove it): connections, datagrams
    and name lookups may reach this machine's loopback (the shared services, a server a test
    starts) or a Unix socket, nothing else. Code that goes around Python (a subprocess, C code
    through ctypes) is not covered."""
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[-1]
        if isinstance(address, tuple) and address and not _is_loopback(address[0]):
            raise PermissionError(
                f"rxgrade: network access beyond this machine's loopback is not allowed while "
                f"grading ({event} to {address[0]!r})"
            )
    elif event == "socket.getaddrinfo" and not _is_loopback(args[0]):
        raise PermissionError(
            f"rxgrade: network access beyond this machine's loopback is not allowed while "
            f"grading (name lookup of {args[0]!r})"
        )


def _limit_address_space(extra: int) -> None:
    """Cap this process's address space at what it has mapped now plus ``extra`` bytes (the
    parent's imports stay usable; a memory bomb fails with MemoryError)."""
    import resource

    with open("/proc/self/statm", encoding="ascii") as fh:
        mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (mapped + extra, mapped + extra))


def _finish(child: _Child) -> ExerciseRun:
    _pid, status = os.waitpid(child.pid, 0)
    # whatever the exercise's code left running in its process group (a forked process that
    # would rewrite a report later, a server a test did not stop) ends with it
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    seconds = time.monotonic() - child.started
    run = ExerciseRun(
        child.deliverable.id, child.tests, child.text(), round(seconds, 3), "finished"
    )
    run.exitstatus = child.exitstatus
    limit = child.limit
    if child.killed:
        run.ended = "killed"
        run.problem = (
            f"stopped after {seconds:.0f} s: no test finished for {limit:g} s (the limit per test "
            "plus a grace); an endless loop, perhaps inside a library call where the per-test "
            "timeout cannot interrupt it"
        )
        if where := _stuck_at(run.output):
            run.problem += f"; it was in {where}"
    elif child.exitstatus is None:
        code = os.waitstatus_to_exitcode(status)
        how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
        run.ended = "exited"
        run.problem = (
            f"the test process {how} before it finished reporting: the code under test (or "
            "something it called) ended the process, e.g. with os._exit(), or crashed"
        )
    elif child.exitstatus in _EXIT_STATUS:
        run.ended = "interrupted"
        run.problem = (
            f"pytest stopped early ({_EXIT_STATUS[child.exitstatus]}): the code under test "
            "raised KeyboardInterrupt (or pytest.exit) and the remaining tests did not run"
            if child.exitstatus == 2
            else f"pytest stopped early ({_EXIT_STATUS[child.exitstatus]}); see the output"
        )
    if run.problem:
        if child.running:
            where = child.running
            run.problem += f" (while {child.running.rsplit('::', 1)[-1]} ran)"
        else:
            where = f"{child.deliverable.tests} (before or between its tests)"
        run.tests = [t for t in run.tests if t.nodeid != child.running]
        run.tests.append(TestOutcome(where, "failed", round(seconds, 3), run.problem))
    elif not run.tests and child.exitstatus not in (0, 1, 5):
        run.tests.append(
            TestOutcome(
                child.deliverable.tests,
                "failed",
                0.0,
                f"the tests could not be collected (pytest exit status {child.exitstatus}); "
                "see the output",
            )
        )
    return run


_FRAME = re.compile(r'^\s+File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<name>\S+)', re.M)


def _stuck_at(output: str) -> str:
    """From faulthandler's dump at the end of ``output``: the innermost frame of the thread that
    was running, outside pytest, pluggy and the grader (``name (file:line)``); "" if none."""
    start = output.rfind("Current thread")
    if start < 0:
        return ""
    for match in _FRAME.finditer(output[start:]):
        path = match["file"]
        if any(part in path for part in ("/_pytest/", "/pluggy/", "/grader/", "<frozen")):
            continue
        return f"{match['name']} ({Path(path).name}:{match['line']})"
    return ""


def run_exercises(
    root: Path,
    deliverables: Sequence[Deliverable],
    *,
    args: Sequence[str] = (),
    jobs: int = 1,
    on_done: Callable[[ExerciseRun], None] = lambda _run: None,
    grace: float | None = None,
    env: dict[str, str] | None = None,
    memory: int | None = None,
    loopback_only: bool = False,
) -> list[ExerciseRun]:
    """Run each deliverable's tests in its own forked child, ``jobs`` at a time, in order.

    ``args`` are more pytest arguments for every child (``--target=learner``, ``-q`` ...);
    ``env``, when given, replaces the children's environment; ``memory``, when given, is how
    many bytes of address space a child may add to what it inherits (``RLIMIT_AS``): past it,
    an allocation fails with ``MemoryError`` in that child only. ``loopback_only`` refuses
    the children's Python code any network address but this machine's loopback
    (:func:`_loopback_only`).
    Returns one :class:`ExerciseRun` per deliverable, in the order given; ``on_done`` sees each
    as it ends.
    """
    grace = GRACE if grace is None else grace
    pending = list(deliverables)
    runs: dict[str, ExerciseRun] = {}
    selector = selectors.DefaultSelector()
    children: list[_Child] = []
    try:
        while pending or children:
            while pending and len(children) < max(1, jobs):
                child = _start(root, pending.pop(0), args, grace, env, memory, loopback_only)
                children.append(child)
                selector.register(child.report, selectors.EVENT_READ, (child, "report"))
                selector.register(child.output, selectors.EVENT_READ, (child, "output"))
            now = time.monotonic()
            wait = min(c.last_event + c.limit for c in children) - now
            for key, _mask in selector.select(timeout=max(0.05, min(wait, 1.0))):
                child, which = key.data
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fd)
                    os.close(key.fd)
                    child.open.discard(key.fd)
                elif which == "report":
                    child.feed(data)
                else:
                    child.keep(data)
            now = time.monotonic()
            for child in list(children):
                overdue = now > child.last_event + child.limit
                if overdue and not child.killed:
                    child.killed = True
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child.pid, signal.SIGUSR1)  # its stacks, then the kill
                        time.sleep(0.5)
                        os.killpg(child.pid, signal.SIGKILL)
                    child.last_event = now  # the pipes close once the group is gone
                if not child.open or (child.killed and now > child.last_event + 5):
                    # only its own descriptors still open: a number closed at EOF may already
                    # belong to another child's pipe
                    for fd in sorted(child.open):
                        with contextlib.suppress(KeyError, ValueError, OSError):
                            selector.unregister(fd)
                        with contextlib.suppress(OSError):
                            os.close(fd)
                    child.open.clear()
                    children.remove(child)
                    run = _finish(child)
                    runs[run.id] = run
                    on_done(run)
    finally:
        for child in children:  # interrupted (Ctrl-C): leave nothing running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child.pid, 0)
            for fd in child.open:
                with contextlib.suppress(OSError):
                    os.close(fd)
        selector.close()
    return [runs[d.id] for d in deliverables if d.id in runs]


def outcomes(runs: Iterable[ExerciseRun]) -> dict[str, list[TestOutcome]]:
    """Test outcomes per deliverable id, for :func:`grader.results.summarise` (one exercise per
    child: a child's tests are its exercise's)."""
    return {run.id: list(run.tests) for run in runs}
