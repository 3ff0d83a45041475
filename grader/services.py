"""Find or start the backing services (Redis, PostgreSQL, ...) that some exercises need.

One resolver, tried in this order for every service:

1. an explicit URL from the environment (``RXGRADE_REDIS_URL``, ``RXGRADE_POSTGRES_URL``,
   ``RXGRADE_KAFKA_URL``, ``RXGRADE_MLFLOW_URL``), used exactly as given;
2. a testcontainers container, when a Docker daemon answers ``docker.from_env().ping()``;
3. a local server binary (``redis-server``; PostgreSQL's ``initdb`` + ``postgres``) started on a
   free loopback port in a temporary directory, stopped and removed at ``close()``;
4. otherwise :class:`ServiceUnavailable`, whose message says exactly what to install.

It is also a pytest plugin: session-scoped ``redis_service`` / ``postgres_service`` (resolved once,
the test is skipped with the install message when the service cannot be had) and function-scoped
``redis_url`` / ``postgres_url`` that give each test a clean database.

Example::

    with resolve("redis") as service:
        client = redis.Redis.from_url(service.url)
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

import pytest

__all__ = [
    "KINDS",
    "Service",
    "ServiceKind",
    "ServiceStartError",
    "ServiceUnavailable",
    "docker_available",
    "postgres_service",
    "postgres_url",
    "redis_service",
    "redis_url",
    "resolve",
]

log = logging.getLogger(__name__)

ORIGINS = ("env", "container", "local")
STARTUP_TIMEOUT = 30.0  # seconds a local server gets to accept connections
STOP_TIMEOUT = 10.0
#: Where PostgreSQL's server binaries live when they are not on PATH (Debian, Homebrew).
PG_BIN_GLOBS = (
    "/usr/lib/postgresql/*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
    "/usr/local/pgsql/bin",
)
#: Unprivileged accounts PostgreSQL may run as when we are root (it refuses to run as root).
PG_USERS = ("postgres", "nobody")


class ServiceUnavailable(RuntimeError):
    """The service could not be found or started; ``str(exc)`` says what to install or set."""

    def __init__(self, message: str, *, service: str, install: str = "") -> None:
        super().__init__(message)
        self.service = service
        self.install = install


class ServiceStartError(ServiceUnavailable):
    """A local server binary exists but did not come up; the message ends with its log tail."""


class _MissingBinary(Exception):
    """A local binary is not installed (resolve() turns this into ServiceUnavailable)."""


@dataclass
class Service:
    """A running service: where to reach it and where it came from.

    Attributes:
        name: ``"redis"``, ``"postgres"``, ...
        url: connection URL (``redis://127.0.0.1:6390/0``, ``postgresql://...``).
        origin: ``"env"`` (the user's URL), ``"container"`` or ``"local"`` (started by us).
        pid: process id of a local server we started.
        workdir: its temporary directory (removed at ``close()``).
    """

    name: str
    url: str
    origin: str
    pid: int | None = None
    workdir: str | None = None
    _finalizer: Callable[[], object] | None = field(default=None, repr=False, compare=False)

    @property
    def owned(self) -> bool:
        """True when we started it, so wiping its data cannot hurt anyone."""
        return self.origin != "env"

    def close(self) -> None:
        """Stop what we started (idempotent); a URL from the environment is left alone."""
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> Service:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class ServiceKind:
    """How to obtain one kind of service: env variable, container and local starters, install."""

    name: str
    title: str
    env: str
    example_url: str
    install: str
    container: Callable[[], Service] | None = None
    local: Callable[[], Service] | None = None


# -- resolver ---------------------------------------------------------------------------------
def resolve(name: str) -> Service:
    """Find or start the service ``name`` (see the module docstring for the order).

    Raises:
        ServiceUnavailable: nothing worked; the message says what to install or set.
        ValueError: ``name`` is not a known service.
    """
    try:
        kind = KINDS[name]
    except KeyError:
        raise ValueError(f"unknown service {name!r}; known: {', '.join(KINDS)}") from None
    if url := os.environ.get(kind.env, "").strip():
        return Service(name, url, "env")
    tried = [f"${kind.env} is not set"]
    if kind.container is not None:
        if docker_available():
            try:
                return kind.container()
            except Exception as exc:  # noqa: BLE001 - any container failure falls through
                log.warning("%s container failed, trying a local server: %s", kind.title, exc)
                tried.append(f"the testcontainers {kind.title} container failed ({exc})")
        else:
            tried.append("no Docker daemon answers")
    if kind.local is not None:
        try:
            return kind.local()
        except _MissingBinary as exc:
            tried.append(str(exc))
    raise ServiceUnavailable(
        f"{kind.title} is needed here but none is available: {'; '.join(tried)}. "
        f"Install it: {kind.install}. Or point the grader at a running server: "
        f"export {kind.env}={kind.example_url}",
        service=name,
        install=kind.install,
    )


def docker_available() -> bool:
    """True when a Docker daemon answers a ping (testcontainers can then run containers)."""
    try:
        import docker
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - no daemon, no socket, no permission: all mean "no"
        return False
    return True


# -- containers (only where Docker runs) --------------------------------------------------------
def _container_service(name: str, container: object, url: Callable[[], str]) -> Service:
    container.start()  # type: ignore[attr-defined]
    try:
        service_url = url()
    except BaseException:
        container.stop()  # type: ignore[attr-defined]
        raise
    stop = weakref.finalize(container, container.stop)  # type: ignore[attr-defined]
    return Service(name, service_url, "container", _finalizer=stop)


def _redis_container() -> Service:
    try:
        from testcontainers.community.redis import RedisContainer
    except ImportError:  # testcontainers < 4.10
        from testcontainers.redis import RedisContainer

    container = RedisContainer("redis:7-alpine")

    def url() -> str:
        host = container.get_container_host_ip()
        return f"redis://{host}:{container.get_exposed_port(container.port)}/0"

    return _container_service("redis", container, url)


def _postgres_container() -> Service:
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:
        from testcontainers.postgres import PostgresContainer

    container = PostgresContainer("postgres:16-alpine", driver=None)
    return _container_service("postgres", container, container.get_connection_url)


def _kafka_container() -> Service:
    try:
        from testcontainers.community.kafka import KafkaContainer
    except ImportError:
        from testcontainers.kafka import KafkaContainer

    container = KafkaContainer()
    return _container_service("kafka", container, container.get_bootstrap_server)


# -- local servers ------------------------------------------------------------------------------
def _which(binary: str, extra_globs: tuple[str, ...] = ()) -> str | None:
    """``binary`` on PATH, else in the newest directory matching ``extra_globs``."""
    if found := shutil.which(binary):
        return found
    for pattern in extra_globs:
        for directory in sorted(glob.glob(pattern), key=_version_key, reverse=True):
            candidate = Path(directory) / binary
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in "".join(c if c.isdigit() else " " for c in path).split())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty log)"


def _stop(process: subprocess.Popen[bytes], workdir: str, sig: int) -> None:
    """Stop ``process`` (``sig``, then SIGKILL) and remove ``workdir``; safe to call twice."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)
    shutil.rmtree(workdir, ignore_errors=True)


def _start_local(
    name: str,
    title: str,
    command: Callable[[int], list[str]],
    ready: Callable[[int], bool],
    url: Callable[[int], str],
    workdir: str,
    *,
    stop_signal: int = signal.SIGTERM,
    user: pwd.struct_passwd | None = None,
) -> Service:
    """Start ``command(port)`` in ``workdir`` and wait until ``ready(port)``; retry a port clash."""
    log_path = Path(workdir) / "server.log"
    for _attempt in range(3):
        port = _free_port()
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                command(port),
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **_as_user(user),
            )
        finalizer = weakref.finalize(process, _stop, process, workdir, stop_signal)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            if ready(port):
                return Service(name, url(port), "local", process.pid, workdir, _finalizer=finalizer)
            time.sleep(0.05)
        tail = _log_tail(log_path)
        if process.poll() is not None and "in use" in tail:
            _stop(process, workdir="/nonexistent", sig=stop_signal)
            finalizer.detach()
            continue  # another process took the port between probe and bind: try another
        finalizer()
        why = "exited" if process.returncode is not None else f"timed out ({STARTUP_TIMEOUT:.0f} s)"
        raise ServiceStartError(
            f"the local {title} server ({command(port)[0]}) did not come up on "
            f"127.0.0.1:{port}: it {why}. Last lines of its log:\n{tail}",
            service=name,
        )
    raise ServiceStartError(f"no free port for the local {title} server", service=name)


def _as_user(user: pwd.struct_passwd | None) -> dict[str, object]:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _redis_ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _redis_local() -> Service:
    binary = _which("redis-server")
    if binary is None:
        raise _MissingBinary("no `redis-server` on PATH")
    workdir = tempfile.mkdtemp(prefix="rxgrade-redis-")

    def command(port: int) -> list[str]:
        return [
            binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", workdir,
            "--daemonize", "no",
        ]  # fmt: skip

    return _start_local(
        "redis",
        "Redis",
        command,
        _redis_ready,
        lambda port: f"redis://127.0.0.1:{port}/0",
        workdir,
    )


def _postgres_binaries() -> tuple[str, str]:
    initdb = _which("initdb", PG_BIN_GLOBS)
    if initdb is None:
        raise _MissingBinary("no PostgreSQL `initdb` on PATH or in " + ", ".join(PG_BIN_GLOBS))
    sibling = Path(initdb).resolve().parent / "postgres"
    server = str(sibling) if sibling.is_file() else _which("postgres", PG_BIN_GLOBS)
    if server is None:
        raise _MissingBinary(f"found {initdb} but no `postgres` server binary next to it")
    return initdb, server


def _postgres_user() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as: ourselves, or an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return None
    for name in PG_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise ServiceStartError(
        "PostgreSQL refuses to run as root and there is no unprivileged account "
        f"({' or '.join(PG_USERS)}) to run it as: `useradd --system postgres`, or set "
        "RXGRADE_POSTGRES_URL",
        service="postgres",
    )


def _postgres_ready(port: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2
        ) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _postgres_local() -> Service:
    initdb, server = _postgres_binaries()
    user = _postgres_user()
    # as root the server's user must reach the directory: stay out of a private TMPDIR
    workdir = tempfile.mkdtemp(prefix="rxgrade-pg-", dir="/tmp" if user else None)
    data = Path(workdir) / "data"
    if user is not None:
        os.chown(workdir, user.pw_uid, user.pw_gid)
    # fmt: off
    init_command = [initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--locale=C", "--no-sync"]
    # fmt: on
    init = subprocess.run(
        init_command,
        cwd=workdir,
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": workdir},
        **_as_user(user),
    )
    if init.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise ServiceStartError(
            f"`{initdb}` failed (exit {init.returncode}):\n{(init.stdout + init.stderr)[-2000:]}",
            service="postgres",
        )

    def command(port: int) -> list[str]:
        return [
            server,
            "-D", str(data),
            "-p", str(port),
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={workdir}",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]  # fmt: skip

    return _start_local(
        "postgres",
        "PostgreSQL",
        command,
        _postgres_ready,
        lambda port: f"postgresql://postgres@127.0.0.1:{port}/postgres",
        workdir,
        stop_signal=signal.SIGINT,  # "fast" shutdown
        user=user,
    )


KINDS: dict[str, ServiceKind] = {
    "redis": ServiceKind(
        "redis",
        "Redis",
        "RXGRADE_REDIS_URL",
        "redis://localhost:6379/0",
        "`sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS)",
        container=_redis_container,
        local=_redis_local,
    ),
    "postgres": ServiceKind(
        "postgres",
        "PostgreSQL",
        "RXGRADE_POSTGRES_URL",
        "postgresql://user:password@localhost:5432/postgres",
        "`sudo apt-get install postgresql` (Debian/Ubuntu) or `brew install postgresql@16` (macOS)",
        container=_postgres_container,
        local=_postgres_local,
    ),
    "kafka": ServiceKind(
        "kafka",
        "Kafka",
        "RXGRADE_KAFKA_URL",
        "localhost:9092",
        "Docker (testcontainers starts a broker), or any Kafka-compatible broker such as Redpanda",
        container=_kafka_container,
    ),
    "mlflow": ServiceKind(
        "mlflow",
        "MLflow tracking server",
        "RXGRADE_MLFLOW_URL",
        "http://localhost:5000",
        "`pip install mlflow`, then run `mlflow server --host 127.0.0.1 --port 5000`",
    ),
}


# -- pytest fixtures ----------------------------------------------------------------------------
def _session_service(name: str) -> Iterator[Service]:
    try:
        service = resolve(name)
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield service
    finally:
        service.close()


@pytest.fixture(scope="session")
def redis_service() -> Iterator[Service]:
    """A Redis server for the whole session (skips the test when none can be had)."""
    yield from _session_service("redis")


@pytest.fixture(scope="session")
def postgres_service() -> Iterator[Service]:
    """A PostgreSQL server for the whole session (skips the test when none can be had)."""
    yield from _session_service("postgres")


def _flushdb(url: str) -> None:
    import redis

    with redis.Redis.from_url(url, socket_timeout=5) as client:
        client.flushdb()


@pytest.fixture
def redis_url(redis_service: Service) -> Iterator[str]:
    """URL of an empty Redis database for this test.

    On a server we started, the database is wiped (FLUSHDB) before and after the test. A server
    you named in ``RXGRADE_REDIS_URL`` is never wiped: its URL is returned as given, so tests must
    use keys of their own.
    """
    if not redis_service.owned:
        yield redis_service.url
        return
    _flushdb(redis_service.url)
    yield redis_service.url
    _flushdb(redis_service.url)


def _with_database(url: str, dbname: str) -> str:
    """``url`` pointing at database ``dbname`` (URL or ``key=value`` conninfo)."""
    if "://" in url:
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path="/" + dbname))
    from psycopg.conninfo import make_conninfo

    return make_conninfo(url, dbname=dbname)


@pytest.fixture
def postgres_url(postgres_service: Service) -> Iterator[str]:
    """URL of a brand-new, empty PostgreSQL database for this test (dropped afterwards)."""
    import psycopg
    from psycopg import sql

    dbname = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_service.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield _with_database(postgres_service.url, dbname)
    finally:
        with psycopg.connect(postgres_service.url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
