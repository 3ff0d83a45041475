"""grader/services.py: environment URL, then a container, then a local server, then a skip.

Run with the plugin loaded (``-p grader.services`` until it is registered with rxgrade's).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import stat
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import psycopg
import pytest
import redis

from grader import services
from grader.services import Service, ServiceStartError, ServiceUnavailable, resolve

pytest_plugins = ["pytester"]


def _plugin_args() -> list[str]:
    """``-p grader.services`` unless an installed entry point already loads it."""
    loaded = any(ep.value == "grader.services" for ep in entry_points(group="pytest11"))
    return [] if loaded else ["-p", "grader.services"]


ENV_VARS = ("RXGRADE_REDIS_URL", "RXGRADE_POSTGRES_URL", "RXGRADE_KAFKA_URL", "RXGRADE_MLFLOW_URL")


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No service URL in the environment and no Docker daemon: the local path is taken."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(services, "docker_available", lambda: False)
    return monkeypatch


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


# -- order of resolution -------------------------------------------------------------------------
def test_env_url_wins_and_is_used_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "redis://user:secret@cache.example.invalid:6380/7?ssl_cert_reqs=none"
    monkeypatch.setenv("RXGRADE_REDIS_URL", url)
    monkeypatch.setattr(services, "docker_available", lambda: pytest.fail("Docker was consulted"))
    with resolve("redis") as service:
        assert service == Service("redis", url, "env")
        assert not service.owned
    service.close()  # closing an env service twice does nothing


def test_unknown_service_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="known: redis, postgres"):
        resolve("memcached")


def test_docker_that_does_not_answer_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    docker = pytest.importorskip("docker")

    class Client:
        closed = False

        def ping(self) -> bool:
            raise docker.errors.DockerException("Error while fetching server API version")

        def close(self) -> None:
            Client.closed = True

    monkeypatch.setattr(docker, "from_env", lambda **kwargs: Client())
    assert services.docker_available() is False
    assert Client.closed


def test_docker_that_answers_is_available(monkeypatch: pytest.MonkeyPatch) -> None:
    docker = pytest.importorskip("docker")

    class Client:
        def ping(self) -> bool:
            return True

        def close(self) -> None:
            pass

    monkeypatch.setattr(docker, "from_env", lambda **kwargs: Client())
    assert services.docker_available() is True


def _replace_kind(monkeypatch: pytest.MonkeyPatch, name: str, **changes: object) -> None:
    monkeypatch.setitem(services.KINDS, name, dataclasses.replace(services.KINDS[name], **changes))


def test_container_is_used_when_docker_answers(no_env: pytest.MonkeyPatch) -> None:
    no_env.setattr(services, "docker_available", lambda: True)
    container = Service("redis", "redis://127.0.0.1:32768/0", "container")
    _replace_kind(
        no_env,
        "redis",
        container=lambda: container,
        local=lambda: pytest.fail("the local server was started although Docker answered"),
    )
    assert resolve("redis") is container


def test_failing_container_falls_through_to_local(no_env: pytest.MonkeyPatch) -> None:
    no_env.setattr(services, "docker_available", lambda: True)

    def broken() -> Service:
        raise RuntimeError("image pull failed")

    local = Service("redis", "redis://127.0.0.1:1/0", "local")
    _replace_kind(no_env, "redis", container=broken, local=lambda: local)
    assert resolve("redis") is local


def test_without_docker_the_container_is_not_tried(no_env: pytest.MonkeyPatch) -> None:
    local = Service("postgres", "postgresql://postgres@127.0.0.1:1/postgres", "local")
    _replace_kind(
        no_env,
        "postgres",
        container=lambda: pytest.fail("a container was started without Docker"),
        local=lambda: local,
    )
    assert resolve("postgres") is local


# -- local servers -------------------------------------------------------------------------------
def test_local_redis_starts_answers_and_stops(no_env: pytest.MonkeyPatch) -> None:
    if services._which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    service = resolve("redis")
    try:
        assert service.origin == "local" and service.owned
        assert service.url.startswith("redis://127.0.0.1:")
        with redis.Redis.from_url(service.url) as client:
            client.set("rxgrade:probe", "hello")
            assert client.get("rxgrade:probe") == b"hello"
            port = client.connection_pool.connection_kwargs["port"]
    finally:
        service.close()
    assert service.pid is not None and service.workdir is not None
    with pytest.raises(ProcessLookupError):
        os.kill(service.pid, 0)
    assert _refuses_connections(port)
    assert not Path(service.workdir).exists()
    service.close()  # idempotent


def test_local_postgres_starts_answers_and_stops(no_env: pytest.MonkeyPatch) -> None:
    try:
        services._postgres_binaries()
    except services._MissingBinary:
        pytest.skip("PostgreSQL's initdb/postgres are not installed")
    with resolve("postgres") as service:
        assert service.origin == "local"
        with psycopg.connect(service.url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            port = conn.info.port
    assert service.pid is not None and service.workdir is not None
    with pytest.raises(ProcessLookupError):
        os.kill(service.pid, 0)
    assert _refuses_connections(port)
    assert not Path(service.workdir).exists()


@pytest.mark.parametrize(
    ("name", "package", "env"),
    [
        ("redis", "apt-get install redis-server", "RXGRADE_REDIS_URL"),
        ("postgres", "apt-get install postgresql", "RXGRADE_POSTGRES_URL"),
    ],
)
def test_missing_binaries_say_what_to_install(
    no_env: pytest.MonkeyPatch, tmp_path: Path, name: str, package: str, env: str
) -> None:
    no_env.setenv("PATH", str(tmp_path))
    no_env.setattr(services, "PG_BIN_GLOBS", ())
    with pytest.raises(ServiceUnavailable) as caught:
        resolve(name)
    message = str(caught.value)
    assert package in message and "brew install" in message and env in message, message
    assert caught.value.service == name and package in caught.value.install


def test_server_that_dies_reports_its_log(no_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\necho 'FATAL: bad config directive' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    no_env.setenv("PATH", str(tmp_path))
    with pytest.raises(ServiceStartError, match="bad config directive"):
        resolve("redis")


# -- fixtures ------------------------------------------------------------------------------------
ISOLATION_TESTS = textwrap.dedent(
    """
    import psycopg
    import redis

    def test_a_writes(redis_url, postgres_url):
        redis.Redis.from_url(redis_url).set("rxgrade:left-behind", 1)
        with psycopg.connect(postgres_url) as conn:
            conn.execute("CREATE TABLE left_behind (x int)")
            name = conn.execute("SELECT current_database()").fetchone()[0]
        with open("db_a.txt", "w") as fh:
            fh.write(name)

    def test_b_starts_clean(redis_url, postgres_url, postgres_service):
        assert redis.Redis.from_url(redis_url).dbsize() == 0
        with psycopg.connect(postgres_url) as conn:
            assert conn.execute("SELECT to_regclass('left_behind')").fetchone() == (None,)
        with psycopg.connect(postgres_service.url) as conn:
            old = open("db_a.txt").read()
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (old,))
            assert exists.fetchone() is None, "the database of test_a was not dropped"
    """
)


def test_fixtures_give_each_test_a_clean_database(
    no_env: pytest.MonkeyPatch, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(test_isolation=ISOLATION_TESTS)
    result = pytester.runpytest(*_plugin_args(), "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_redis_url_never_wipes_a_server_from_the_environment(
    no_env: pytest.MonkeyPatch, pytester: pytest.Pytester, redis_service: Service
) -> None:
    with redis.Redis.from_url(redis_service.url) as client:
        client.set("users:precious", "keep me")
        no_env.setenv("RXGRADE_REDIS_URL", redis_service.url)
        pytester.makepyfile(
            test_env="""
            def test_uses_env(redis_url, redis_service):
                assert redis_service.origin == "env"
            """
        )
        result = pytester.runpytest(*_plugin_args())
        result.assert_outcomes(passed=1)
        assert client.get("users:precious") == b"keep me"


def test_unavailable_service_skips_with_the_install_message(
    no_env: pytest.MonkeyPatch, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    no_env.setenv("PATH", str(tmp_path))
    pytester.makepyfile(test_skip="def test_needs(redis_url):\n    pass\n")
    result = pytester.runpytest(*_plugin_args(), "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*apt-get install redis-server*"])
