"""A resident grading worker: torch and timm imported once, every grading forked from it.

Importing torch and timm takes most of the time of a one-exercise check (seconds, on every call).
The worker is a background process that has imported them (:func:`grader.isolate.warm`) and
waits on a Unix socket in the grading state folder; ``rxgrade check``, ``watch`` and ``status
--regrade`` send it the exercises to grade, and it runs :func:`grader.isolate.run_exercises` —
each exercise still in a fresh forked child, with the caller's environment and working folder —
streaming each result back as it ends. So every run still starts clean; only the imports are
shared.

The CLI starts a worker in the background the first time it grades from a terminal (so the
*next* call is fast) and grades in its own process meanwhile; ``rxgrade worker --stop`` stops it;
it stops by itself after :data:`IDLE_SECONDS` without a request, and when the grader's own code
changes (its :func:`version` no longer matches the caller's). ``RXGRADE_WORKER=off`` disables it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from grader import isolate, manifest
from grader.results import TestOutcome
from grader.state import state_dir

__all__ = ["ENV_SWITCH", "IDLE_SECONDS", "grade", "serve", "socket_path", "start", "stop"]

ENV_SWITCH = "RXGRADE_WORKER"
#: A worker with no request for this long exits.
IDLE_SECONDS = 30 * 60
_GRADER = Path(__file__).resolve().parent


def version() -> str:
    """Which grader this is: its interpreter and the contents of its modules. A worker serves
    only callers of the same version (an edited grader gets a fresh worker)."""
    digest = hashlib.sha256(sys.executable.encode())
    for path in sorted(_GRADER.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def socket_path(root: Path) -> Path:
    """The worker's socket for the checkout at ``root`` (in its grading state folder, or in the
    temporary folder when that path is too long for a Unix socket)."""
    path = state_dir(root) / "worker.sock"
    if len(str(path)) < 100:
        return path
    key = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"rxgrade-{key}.sock"


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "on").lower() not in ("off", "0", "no", "false")


def _lines(conn: socket.socket) -> Iterator[dict]:
    buffer = b""
    while True:
        data = conn.recv(65536)
        if not data:
            return
        buffer += data
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _send(conn: socket.socket, message: dict) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


def _run_from(data: dict) -> isolate.ExerciseRun:
    tests = [TestOutcome(**t) for t in data.pop("tests")]
    return isolate.ExerciseRun(tests=tests, **data)


# -- the worker ---------------------------------------------------------------------------------
def serve(path: Path, *, idle: float = IDLE_SECONDS) -> None:
    """Warm up, then answer requests on the socket at ``path`` until told to stop, idle for
    ``idle`` seconds, or asked by a caller of another grader version."""
    isolate.warm((*isolate.WARM_MODULES, *isolate.WARM_MORE))
    mine = version()
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    os.chmod(path, 0o600)
    server.listen(4)
    server.settimeout(idle)
    try:
        while True:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                return
            with conn:
                request = next(_lines(conn), {})
                if request.get("version") != mine or request.get("op") == "stop":
                    _send(conn, {"event": "bye", "version": mine})
                    return
                if request.get("op") == "ping":
                    _send(conn, {"event": "pong", "pid": os.getpid()})
                    continue
                _answer(conn, request)
    finally:
        server.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _answer(conn: socket.socket, request: dict) -> None:
    root = Path(request["root"])
    try:
        curriculum = manifest.load(root)
        deliverables = [curriculum[i] for i in request["ids"]]
    except (OSError, KeyError, manifest.ManifestError) as exc:
        _send(conn, {"event": "error", "message": str(exc)})
        return

    def done(run: isolate.ExerciseRun) -> None:
        with contextlib.suppress(OSError):
            _send(conn, {"event": "run", "run": dataclasses.asdict(run)})

    isolate.run_exercises(
        root,
        deliverables,
        args=request.get("args", []),
        jobs=int(request.get("jobs", 1)),
        on_done=done,
        env=request.get("env"),
    )
    with contextlib.suppress(OSError):
        _send(conn, {"event": "end"})


# -- the caller ---------------------------------------------------------------------------------
def _connect(path: Path, timeout: float = 2.0) -> socket.socket | None:
    if not path.exists():
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(str(path))
    except OSError:
        conn.close()
        return None
    conn.settimeout(None)
    return conn


def grade(
    root: Path,
    ids: list[str],
    *,
    args: list[str],
    jobs: int,
    on_done: Callable[[isolate.ExerciseRun], None] = lambda _run: None,
) -> list[isolate.ExerciseRun] | None:
    """Grade ``ids`` through the running worker; None when there is none (or it is of another
    grader version, which then exits): the caller grades by itself."""
    conn = _connect(socket_path(root))
    if conn is None:
        return None
    runs = []
    with conn:
        request = {
            "op": "grade",
            "version": version(),
            "root": str(root),
            "ids": ids,
            "args": args,
            "jobs": jobs,
            "env": dict(os.environ),
        }
        try:
            _send(conn, request)
            for message in _lines(conn):
                event = message.get("event")
                if event == "run":
                    run = _run_from(message["run"])
                    runs.append(run)
                    on_done(run)
                elif event == "end":
                    return runs
                elif event in ("bye", "error"):
                    return None
        except OSError:
            return None
    return None  # the worker went away mid-way: grade here


def start(root: Path) -> None:
    """Start a worker for ``root`` in the background (returns at once)."""
    path = socket_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.with_suffix(".log")
    with open(log, "ab") as out:
        subprocess.Popen(
            [sys.executable, "-m", "grader.worker", str(path)],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


def ping(root: Path) -> int | None:
    """The pid of the worker serving ``root``, or None."""
    conn = _connect(socket_path(root))
    if conn is None:
        return None
    with conn:
        try:
            _send(conn, {"op": "ping", "version": version()})
            reply = next(_lines(conn), {})
        except OSError:
            return None
    return reply.get("pid") if reply.get("event") == "pong" else None


def stop(root: Path) -> bool:
    """Ask the worker serving ``root`` to exit; whether there was one."""
    conn = _connect(socket_path(root))
    if conn is None:
        return False
    with conn, contextlib.suppress(OSError):
        _send(conn, {"op": "stop", "version": version()})
        next(_lines(conn), None)
    return True


def wait_until_ready(root: Path, timeout: float = 60.0) -> bool:
    """Whether a worker for ``root`` answers within ``timeout`` seconds (for tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ping(root) is not None:
            return True
        time.sleep(0.2)
    return False


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
