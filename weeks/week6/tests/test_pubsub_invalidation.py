"""Tests of week6.pubsub_invalidation: model updates over a live Redis, with reconciliation.

Each test gets a Redis through the grader's ``redis_url`` fixture (a local ``redis-server`` is
started when none is configured) and uses its own channel and key, so it never disturbs other
users of the server. Replicas are :class:`ModelUpdateBus` objects in one event loop; every wait
polls with a deadline, so a replica that misses a message fails the test within seconds. Run one
test with ``pytest weeks/week6/tests/test_pubsub_invalidation.py -k reconnect``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from types import ModuleType
from typing import Any

import pytest
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
    assert staying.loaded == ["v8"]


async def _count(ids: Awaitable[set[str]]) -> int:
    return len(await ids)
