"""Tests of week6.pubsub_invalidation: model updates over a live Redis, with reconciliation.

Each test gets a Redis through the grader's ``redis_url`` fixture (a local ``redis-server`` is
started when none is configured) and uses its own channel and key, so it never disturbs other
users of the server. Replicas are :class:`ModelUpdateBus` objects in one event loop; every wait
polls with a deadline, so a replica that misses a message fails the test within seconds. Run one
test with ``pytest weeks/week6/tests/test_pubsub_invalidation.py -k reconnect``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import select
import socket
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from types import ModuleType
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

SCENARIO_LIMIT = 15.0  # seconds
WAIT = 3.0  # seconds a replica may take to react


# -- helpers --------------------------------------------------------------------------------------
def run(scenario: Coroutine[Any, Any, Any]) -> Any:
    async def bounded() -> Any:
        try:
            return await asyncio.wait_for(scenario, SCENARIO_LIMIT)
        except TimeoutError:
            pytest.fail(f"the scenario hung for {SCENARIO_LIMIT} s (a wait without a timeout?)")

    return asyncio.run(bounded())


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = WAIT
) -> None:
    """Poll ``condition`` every 10 ms; fail with ``what`` after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if not isinstance(value, bool):
            value = await value
        if value:
            return
        if loop.time() > deadline:
            pytest.fail(f"after {timeout} s: {what}")
        await asyncio.sleep(0.01)


class Names:
    """A channel and a champion key of this test only."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:12]
        self.channel = f"rxgrade:{tag}:model-updates"
        self.key = f"rxgrade:{tag}:champion"


class Replica:
    """What the bus drives: a model loader that can fail, and a local cache."""

    def __init__(self, fail_once: tuple[str, ...] = ()) -> None:
        self.loaded: list[str] = []
        self.attempts: list[str] = []
        self.fail_once = set(fail_once)
        self.cache: dict[str, str] = {"sha256:old-image": "aspirin (old model)"}

    def reload(self, version: str) -> None:
        self.attempts.append(version)
        if version in self.fail_once:
            self.fail_once.discard(version)
            raise RuntimeError(f"weights of {version} are corrupt")
        self.loaded.append(version)


def make_bus(impl: ModuleType, url: str, names: Names, replica: Replica, **kwargs: Any) -> Any:
    return impl.ModelUpdateBus(
        url, replica.reload, replica.cache, channel=names.channel, key=names.key, **kwargs
    )


async def announce(admin: aioredis.Redis, names: Names, version: str) -> int:
    """What the registry does on promotion (the reference protocol, not the learner's code)."""
    await admin.set(names.key, version)
    return int(await admin.publish(names.channel, json.dumps({"version": version})))


async def subscribers(admin: aioredis.Redis, names: Names) -> int:
    return int((await admin.pubsub_numsub(names.channel))[0][1])


async def client_ids(admin: aioredis.Redis, kind: str | None = None) -> set[str]:
    clients = await (admin.client_list(_type=kind) if kind else admin.client_list())
    return {str(c["id"]) for c in clients}


# -- publishing -----------------------------------------------------------------------------------
@pytest.mark.clause("publish", "publish-count")
def test_publish_promotion_sets_the_key_then_announces(impl: ModuleType, redis_url: str) -> None:
    names = Names()

    async def scenario() -> tuple[int, Any, Any]:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        listener = admin.pubsub()
        try:
            await listener.subscribe(names.channel)
            await listener.get_message(timeout=1)  # the subscribe confirmation
            count = await impl.publish_promotion(admin, "v7", channel=names.channel, key=names.key)
            message = await listener.get_message(ignore_subscribe_messages=True, timeout=WAIT)
            return count, await admin.get(names.key), message
        finally:
            await listener.aclose()
            await admin.aclose()

    count, stored, message = run(scenario())
    assert stored == "v7", f"publish_promotion must SET the champion key to 'v7', got {stored!r}"
    assert message is not None, "publish_promotion must PUBLISH on the channel (nothing arrived)"
    assert json.loads(message["data"]) == {"version": "v7"}, (
        f'the message must be the JSON {{"version": "v7"}}, got {message["data"]!r}'
    )
    assert count == 1, f"return what PUBLISH returns (1 subscriber here), got {count!r}"


# -- delivery -------------------------------------------------------------------------------------
@pytest.mark.clause("messages", "load-once", "clear-cache")
def test_every_replica_reloads_once_per_version(impl: ModuleType, redis_url: str) -> None:
    names = Names()
    replicas = [Replica() for _ in range(3)]

    async def scenario() -> None:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        buses = [make_bus(impl, redis_url, names, r, reconcile_every=60) for r in replicas]
        try:
            for bus in buses:
                await bus.start()
            assert all(bus.version is None for bus in buses), "no champion yet: version is None"
            await wait_until(
                lambda: _eq(subscribers(admin, names), 3), "3 replicas should be subscribed"
            )
            await announce(admin, names, "v1")
            await wait_until(
                lambda: all(b.version == "v1" for b in buses),
                f"every replica should load v1 after the announcement; versions: "
                f"{[b.version for b in buses]}",
            )
            assert all(r.cache == {} for r in replicas), (
                "after loading a new version, each replica's local cache must be cleared"
            )
            for r in replicas:
                r.cache["sha256:new-image"] = "ibuprofen"
            await announce(admin, names, "v1")  # a duplicate announcement
            await announce(admin, names, "v2")
            await wait_until(
                lambda: all(b.version == "v2" for b in buses), "every replica should load v2"
            )
        finally:
            for bus in buses:
                await bus.stop()
            await admin.aclose()

    run(scenario())
    for i, replica in enumerate(replicas):
        assert replica.loaded == ["v1", "v2"], (
            f"replica {i} should reload exactly once per version (v1, v2), in order: "
            f"{replica.loaded}. Ignore a version equal to the one already loaded"
        )


async def _eq(value: Awaitable[int], want: int) -> bool:
    return await value == want


@pytest.mark.clause("junk")
def test_malformed_messages_do_not_kill_the_listener(impl: ModuleType, redis_url: str) -> None:
    names, replica = Names(), Replica()

    async def scenario() -> None:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        bus = make_bus(impl, redis_url, names, replica, reconcile_every=60)
        try:
            await bus.start()
            await wait_until(lambda: _eq(subscribers(admin, names), 1), "1 subscriber expected")
            for junk in ("not json", '{"model": 3}', '["v9"]', '{"version": 12}'):
                await admin.publish(names.channel, junk)
            await announce(admin, names, "v6")
            await wait_until(
                lambda: bus.version == "v6",
                "after malformed messages, a valid announcement of v6 must still be loaded "
                "(ignore what you cannot parse, never let the listener task die)",
            )
        finally:
            await bus.stop()
            await admin.aclose()

    run(scenario())
    assert replica.loaded == ["v6"], f"only v6 is a valid version, loaded: {replica.loaded}"


# -- reconciliation -------------------------------------------------------------------------------
@pytest.mark.clause("start", "restart", "load-once")
def test_replica_catches_up_when_it_starts(impl: ModuleType, redis_url: str) -> None:
    names, replica = Names(), Replica()

    async def scenario() -> list[Any]:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        bus = make_bus(impl, redis_url, names, replica, reconcile_every=60)
        seen = []
        try:
            await admin.set(names.key, "v3")  # promoted before this replica started
            await bus.start()
            seen.append(bus.version)  # start() must have reconciled already
            await bus.stop()
            missed = await announce(admin, names, "v4")  # while the replica is down
            await bus.start()
            seen += [missed, bus.version]
            await bus.stop()
            await bus.start()  # nothing changed meanwhile
            seen.append(bus.version)
        finally:
            await bus.stop()
            await admin.aclose()
        return seen

    at_start, missed, after_restart, unchanged = run(scenario())
    assert at_start == "v3", (
        f"start() must reconcile (GET the champion key) before returning: version should be "
        f"'v3', got {at_start!r}"
    )
    assert missed == 0, "sanity: nobody was subscribed while the replica was stopped"
    assert after_restart == "v4", (
        f"v4 was announced while the replica was stopped (the message is lost: Pub/Sub does "
        f"not queue); starting again must catch up from the key: want 'v4', got {after_restart!r}"
    )
    assert unchanged == "v4" and replica.loaded == ["v3", "v4"], (
        f"restarting without a change must not reload: loaded {replica.loaded}"
    )


@pytest.mark.clause("periodic")
def test_periodic_reconcile_finds_silent_changes(impl: ModuleType, redis_url: str) -> None:
    names, replica = Names(), Replica()

    async def scenario() -> None:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        bus = make_bus(impl, redis_url, names, replica, reconcile_every=0.1)
        try:
            await bus.start()
            await admin.set(names.key, "v5")  # promoted, but the message was lost
            await wait_until(
                lambda: bus.version == "v5",
                "the champion key changed without an announcement: with reconcile_every=0.1 "
                "the listener must notice within a few tenths of a second",
            )
        finally:
            await bus.stop()
            await admin.aclose()

    run(scenario())
    assert replica.loaded == ["v5"], f"loaded: {replica.loaded}"


@pytest.mark.clause("reload-fails", "clear-cache")
def test_failed_reload_is_retried(impl: ModuleType, redis_url: str) -> None:
    names, replica = Names(), Replica(fail_once=("v2",))

    async def scenario() -> None:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        bus = make_bus(impl, redis_url, names, replica, reconcile_every=0.1)
        try:
            await bus.start()
            await wait_until(lambda: _eq(subscribers(admin, names), 1), "1 subscriber expected")
            await announce(admin, names, "v1")
            await wait_until(lambda: replica.loaded == ["v1"], f"v1 loaded? {replica.loaded}")
            replica.cache["sha256:x"] = "cached with v1"
            await announce(admin, names, "v2")  # the first reload of v2 raises
            await wait_until(
                lambda: "v2" in replica.loaded,
                f"the first reload of v2 raised; the replica must keep v1 and retry at the next "
                f"reconcile (do not record a version before reload succeeded); reload attempts: "
                f"{replica.attempts}",
            )
            assert bus.version == "v2" and replica.cache == {}, (
                f"after the retry succeeded: version {bus.version!r}, cache {replica.cache}"
            )
        finally:
            await bus.stop()
            await admin.aclose()

    run(scenario())
    assert replica.attempts[:3] == ["v1", "v2", "v2"], f"reload attempts: {replica.attempts}"


@pytest.mark.clause("reconnect")
def test_reconnects_and_reconciles_after_a_dropped_connection(
    impl: ModuleType, redis_url: str
) -> None:
    names, replica = Names(), Replica()

    async def scenario() -> None:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        bus = make_bus(impl, redis_url, names, replica, reconcile_every=60, retry_delay=0.05)
        try:
            before = await client_ids(admin, "pubsub")
            await bus.start()
            await wait_until(lambda: _eq(subscribers(admin, names), 1), "1 subscriber expected")
            ours = await client_ids(admin, "pubsub") - before
            assert ours, "the bus should hold a Pub/Sub connection after start()"
            await announce(admin, names, "v1")
            await wait_until(lambda: bus.version == "v1", "v1 should be loaded")
            await admin.set(names.key, "v2")  # promoted silently: no message will come
            for client_id in ours:  # the network drops the replica's subscription
                await admin.client_kill_filter(_id=client_id)
            await wait_until(
                lambda: bus.version == "v2",
                "after its connection dropped, the replica must reconnect and reconcile (v2 "
                "was promoted meanwhile; reconcile_every=60 rules out the periodic path): "
                "catch redis.ConnectionError in the listener, wait retry_delay, reconcile",
            )
            await wait_until(lambda: _eq(subscribers(admin, names), 1), "re-subscribed?")
            await announce(admin, names, "v3")
            await wait_until(
                lambda: bus.version == "v3", "announcements must arrive again after reconnecting"
            )
        finally:
            await bus.stop()
            await admin.aclose()

    run(scenario())
    assert replica.loaded == ["v1", "v2", "v3"], f"loaded: {replica.loaded}"


# -- shutdown -------------------------------------------------------------------------------------
@pytest.mark.clause("stop")
def test_stop_unsubscribes_and_cleans_up(
    impl: ModuleType, redis_url: str, redis_service: Any
) -> None:
    names = Names()
    staying, leaving = Replica(), Replica()

    async def scenario() -> None:
        baseline = asyncio.all_tasks()
        crashes: list[str] = []  # "Task exception was never retrieved" and the like
        asyncio.get_running_loop().set_exception_handler(
            lambda _loop, context: crashes.append(
                f"{context.get('message')}: {context.get('exception')!r}"
            )
        )
        admin = aioredis.from_url(redis_url, decode_responses=True)
        before = await client_ids(admin)
        first = make_bus(impl, redis_url, names, staying, reconcile_every=60)
        second = make_bus(impl, redis_url, names, leaving, reconcile_every=60)
        try:
            await first.start()
            await second.start()
            await wait_until(lambda: _eq(subscribers(admin, names), 2), "2 subscribers expected")
            listeners = len(asyncio.all_tasks() - baseline)  # a count: no references kept
            await second.stop()
            left = len(asyncio.all_tasks() - baseline)
            assert left == listeners - 1, (
                f"stop() must cancel the replica's listener task and wait for it; running "
                f"before stop(): {listeners}, after: {left}"
            )
            await second.stop()  # stopping twice is harmless
            await wait_until(
                lambda: _eq(subscribers(admin, names), 1),
                "after stop() the replica must be unsubscribed (PUBSUB NUMSUB should drop to 1)",
            )
            await announce(admin, names, "v8")
            await wait_until(lambda: first.version == "v8", "the running replica loads v8")
            await first.stop()
            await wait_until(lambda: _eq(subscribers(admin, names), 0), "no subscriber left")
            await asyncio.sleep(0.05)
            gc.collect()
            assert not crashes, (
                f"a background task ended with an unhandled error: {crashes}. stop() must "
                "cancel the listener before closing the connections it uses"
            )
            others = asyncio.all_tasks() - baseline
            assert not others, (
                f"after stop() no background task may be left running: {others}. Cancel the "
                "listener task and await it"
            )
            if redis_service.owned:  # on a shared server other clients come and go
                await wait_until(
                    lambda: _eq(_count(client_ids(admin)), len(before)),
                    "stop() must close the bus's connections (client.aclose(), pubsub.aclose())",
                )
        finally:
            await first.stop()
            await second.stop()
            await admin.aclose()

    run(scenario())
    assert leaving.loaded == [], f"a stopped replica must not reload anything: {leaving.loaded}"
    assert staying.loaded == ["v8"], (
        f"the replica still running should have loaded v8 once, got {staying.loaded}"
    )


async def _count(ids: Awaitable[set[str]]) -> int:
    return len(await ids)


# -- more of the spec -----------------------------------------------------------------------------
class RecordingRedis(aioredis.Redis):
    """A client that records the name of every command it sends (pipelines aside)."""

    commands: list[str]

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.commands.append(str(args[0]).upper())
        return await super().execute_command(*args, **options)


@pytest.mark.clause("publish")
def test_publish_sets_the_key_before_announcing(impl: ModuleType, redis_url: str) -> None:
    names = Names()

    async def scenario() -> list[str]:
        client = RecordingRedis.from_url(redis_url, decode_responses=True)
        client.commands = []
        try:
            await impl.publish_promotion(client, "v9", channel=names.channel, key=names.key)
            return client.commands
        finally:
            await client.aclose()

    sent = [c for c in run(scenario()) if c in ("SET", "PUBLISH")]
    if sent:  # (a pipeline or MULTI keeps its order anyway and is not recorded here)
        assert sent == ["SET", "PUBLISH"], (
            f"publish_promotion must SET the champion key first, then PUBLISH (a replica that "
            f"hears the message and reconciles must find the new version); it sent {sent}"
        )


class SilentServer:
    """A TCP port that accepts connections into its backlog and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"

    def knocked(self) -> bool:
        """Whether anyone has connected (a connection waits in the backlog)."""
        return bool(select.select([self.sock], [], [], 0.2)[0])

    def close(self) -> None:
        self.sock.close()


@pytest.mark.clause("lazy-init", "params")
def test_nothing_connects_in_init(impl: ModuleType) -> None:
    server, names, replica = SilentServer(), Names(), Replica()
    try:
        make_bus(impl, server.url, names, replica)
        assert not server.knocked(), (
            "ModelUpdateBus(...) connected to Redis in __init__: connect in start() only"
        )
    finally:
        server.close()
    for bad in (0, -1.0):
        with pytest.raises(ValueError):
            make_bus(impl, "redis://127.0.0.1:1/0", names, replica, reconcile_every=bad)


@pytest.mark.clause("start")
def test_start_subscribes_before_it_reconciles(impl: ModuleType, redis_url: str) -> None:
    names = Names()
    seen: list[int] = []

    def reload(version: str) -> None:  # runs inside start()'s reconcile
        with redis.Redis.from_url(redis_url, socket_timeout=5) as probe:
            seen.append(int(probe.pubsub_numsub(names.channel)[0][1]))

    async def scenario() -> Any:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        bus = impl.ModelUpdateBus(redis_url, reload, channel=names.channel, key=names.key)
        try:
            await admin.set(names.key, "v1")
            await bus.start()
            return bus.version
        finally:
            await bus.stop()
            await admin.aclose()

    version = run(scenario())
    assert version == "v1" and seen, f"start() must reconcile and load v1, version {version!r}"
    assert seen == [1], (
        "start() must SUBSCRIBE before it reconciles: when the reconcile loaded v1 the bus was "
        f"not subscribed yet (NUMSUB {seen}); a promotion landing in that gap would be lost"
    )


@pytest.mark.clause("reconcile", "reconcile-stopped", "clear-cache")
def test_reconcile_reports_whether_it_reloaded(impl: ModuleType, redis_url: str) -> None:
    names = Names()
    loaded: list[str] = []

    async def scenario() -> list[Any]:
        admin = aioredis.from_url(redis_url, decode_responses=True)
        bus = impl.ModelUpdateBus(
            redis_url, loaded.append, None, channel=names.channel, key=names.key,
            reconcile_every=60,
        )  # fmt: skip
        out: list[Any] = []
        try:
            try:
                await bus.reconcile()
                out.append("returned")
            except RuntimeError:
                out.append("RuntimeError")
            await bus.start()  # no champion key yet, and no cache to clear
            out.append(await bus.reconcile())
            await admin.set(names.key, "v4")
            out += [await bus.reconcile(), await bus.reconcile(), bus.version]
            await admin.delete(names.key)
            out.append(await bus.reconcile())
        finally:
            await bus.stop()
            await admin.aclose()
        return out

    got = run(scenario())
    assert got[0] == "RuntimeError", (
        f"reconcile() before start() must raise RuntimeError (no connection), it {got[0]}"
    )
    assert got[1:] == [False, True, False, "v4", False], (
        "reconcile() returns True only when it reloaded: no key -> False, new v4 -> True, v4 "
        f"again -> False, key deleted -> False (version stays v4); got {got[1:]}"
    )
    assert loaded == ["v4"], f"cache=None must work (nothing to clear); loaded {loaded}"


async def stalling_redis(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A Redis that completes the handshake and SUBSCRIBE, then never answers GET (or PING)."""
    try:
        while line := await reader.readline():
            if not line.startswith(b"*"):
                continue
            args = []
            for _ in range(int(line[1:])):
                size = int((await reader.readline())[1:])
                args.append((await reader.readexactly(size + 2))[:-2].decode())
            command = args[0].upper()
            if command == "HELLO":  # an old server: the client falls back to RESP2
                writer.write(b"-ERR unknown command 'HELLO'\r\n")
            elif command == "SUBSCRIBE":
                for channel in args[1:]:
                    size = len(channel.encode())
                    writer.write(
                        f"*3\r\n$9\r\nsubscribe\r\n${size}\r\n{channel}\r\n:1\r\n".encode()
                    )
            elif command not in ("GET", "PING"):
                writer.write(b"+OK\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        pass
    finally:
        writer.close()


@pytest.mark.clause("bounded-waits")
def test_start_gives_up_on_a_server_that_stops_answering(impl: ModuleType) -> None:
    names, replica = Names(), Replica()

    async def scenario() -> str:
        server = await asyncio.start_server(stalling_redis, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        bus = make_bus(impl, f"redis://127.0.0.1:{port}/0", names, replica, reconcile_every=60)
        try:
            try:
                await asyncio.wait_for(bus.start(), 10)
            except TimeoutError as exc:
                if isinstance(exc.__cause__, asyncio.CancelledError) or not str(exc):
                    return "hung"
                return "raised"
            except Exception:  # noqa: BLE001 - giving up with an error is fine
                return "raised"
            return "returned"
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bus.stop(), 5)
            server.close()

    outcome = run(scenario())
    assert outcome != "hung", (
        "start() against a Redis that accepted the subscription but never answers GET was still "
        "waiting after 10 s: give the client a socket_timeout (and socket_connect_timeout) so "
        "that no wait is unbounded"
    )
