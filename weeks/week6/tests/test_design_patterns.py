"""Tests of week6.design_patterns: a model factory, thread-safe singletons and an observer hub.

Races are made real, not hoped for: a ``threading.Barrier`` releases all threads at once and the
constructors under test are slow (they sleep 50 ms), so a singleton without a correct lock
builds several instances. Run: ``pytest weeks/week6/tests/test_design_patterns.py``.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

THREADS = 12


def race(target: Callable[[], Any], threads: int = THREADS) -> list[Any]:
    """Run ``target`` in ``threads`` threads released together; return results, re-raise errors."""
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    if errors:
        raise errors[0]
    assert not any(w.is_alive() for w in workers), "threads still running after 30 s: deadlock?"
    return results


class Recorder:
    """A subscriber whose bound method records (name, payload) in a shared log."""

    def __init__(self, name: str, log: list[tuple[str, Any]]) -> None:
        self.name = name
        self.log = log

    def on_event(self, payload: Any) -> None:
        self.log.append((self.name, payload))


# -- Factory -----------------------------------------------------------------------------------
@pytest.mark.clause("register", "create", "list-models", "registry-container")
def test_register_and_create(impl: ModuleType) -> None:
    registry = impl.ModelRegistry()

    def tiny(num_classes: int = 10, drop_rate: float = 0.0) -> tuple[int, float]:
        return num_classes, drop_rate

    decorated = registry.register("tiny")(tiny)
    assert decorated is tiny, "the decorator must return the function unchanged"
    registry.register("efficientnet_lite0")(lambda **kw: ("lite", kw))
    registry.register("efficientnet_b0")(lambda **kw: ("b0", kw))
    assert registry.create("tiny", num_classes=3, drop_rate=0.2) == (3, 0.2), (
        "create(name, **kwargs) should call the registered constructor with the kwargs"
    )
    made = registry.create("efficientnet_b0")
    assert made == ("b0", {}), (
        f"create('efficientnet_b0') without kwargs should return its constructor's ('b0', {{}}), "
        f"got {made!r}"
    )
    names = registry.list_models()
    assert names == ["efficientnet_b0", "efficientnet_lite0", "tiny"], (
        f"list_models() should return every registered name, sorted, got {names!r}"
    )
    matching = registry.list_models("efficientnet_*")
    assert matching == ["efficientnet_b0", "efficientnet_lite0"], (
        f"list_models('efficientnet_*') should return the sorted names matching the shell-style "
        f"pattern, got {matching!r}"
    )
    has_tiny, has_huge, size = "tiny" in registry, "huge" in registry, len(registry)
    assert has_tiny and not has_huge and size == 3, (
        "with 3 models registered, 'tiny' in registry should be True, 'huge' in registry False "
        f"and len(registry) 3; got {has_tiny}, {has_huge} and {size}"
    )
    assert impl.ModelRegistry().list_models() == [], "each registry has its own names"


@pytest.mark.clause("unknown")
def test_unknown_name_error_lists_the_known_names(impl: ModuleType) -> None:
    registry = impl.ModelRegistry()
    for name in ("vit_tiny", "efficientnet_b0", "efficientnet_b1"):
        registry.register(name)(lambda: None)
    with pytest.raises(impl.UnknownModelError) as info:
        registry.create("efficientnet_b9")
    message = str(info.value)
    missing = [n for n in ("efficientnet_b9", "efficientnet_b0", "efficientnet_b1", "vit_tiny")]
    missing = [n for n in missing if n not in message]
    assert not missing, (
        f"the error should name the model asked for and every known model; {missing} are "
        f"missing from: {message}"
    )
    assert message.index("efficientnet_b0") < message.index("vit_tiny"), "list them sorted"
    assert issubclass(impl.UnknownModelError, LookupError), (
        "UnknownModelError is given as a subclass of LookupError: keep its base class, got "
        f"{[c.__name__ for c in impl.UnknownModelError.__mro__[1:]]}"
    )


@pytest.mark.clause("register-duplicate", "register-name")
def test_duplicate_and_invalid_names_are_rejected(impl: ModuleType) -> None:
    registry = impl.ModelRegistry()
    registry.register("tiny")(lambda: "first")
    with pytest.raises(ValueError, match="tiny"):
        registry.register("tiny")(lambda: "second")
        pytest.fail("registering 'tiny' twice should raise ValueError naming it")
    assert registry.create("tiny") == "first", "a rejected duplicate must not replace the first"
    for bad in ("", None, 42):
        with pytest.raises(ValueError):
            registry.register(bad)
            pytest.fail(f"register({bad!r}) should raise ValueError at once")


@pytest.mark.clause("default-registry")
def test_default_registry_holds_the_efficientnets(impl: ModuleType) -> None:
    assert impl.MODELS.list_models("efficientnet_*") == [
        "efficientnet_b0",
        "efficientnet_b1",
        "efficientnet_b2",
        "efficientnet_b3",
    ], "register efficientnet_b0..b3 in MODELS with @MODELS.register(...)"
    got = impl.MODELS.create("efficientnet_b2", num_classes=12)
    assert got == impl.ModelSpec("efficientnet", 1.1, 1.2, 260, 12), f"got {got}"
    assert impl.efficientnet_b1().resolution == 240, "decorated constructors stay callable"


# -- Singleton ---------------------------------------------------------------------------------
@pytest.mark.clause("thread-safe", "singleton")
def test_singleton_builds_one_instance_under_a_concurrent_first_call(impl: ModuleType) -> None:
    built: list[int] = []

    class SlowService(metaclass=impl.SingletonMeta):
        def __init__(self) -> None:
            built.append(1)
            time.sleep(0.05)  # a slow constructor widens the race window

    instances = race(SlowService)
    assert len({id(i) for i in instances}) == 1, (
        f"{THREADS} threads calling SlowService() at the same moment got "
        f"{len({id(i) for i in instances})} different instances: check, lock, check again"
    )
    assert len(built) == 1, f"__init__ ran {len(built)} times, should run once"
    assert SlowService() is instances[0], "later calls return the same instance"


@pytest.mark.clause("singleton", "per-class", "reset")
def test_singleton_is_per_class_and_can_be_reset(impl: ModuleType) -> None:
    class Config(metaclass=impl.SingletonMeta):
        def __init__(self, env: str = "dev") -> None:
            self.env = env

    class Registry(metaclass=impl.SingletonMeta):
        pass

    class StagingConfig(Config):
        pass

    first = Config("prod")
    assert Config() is first and first.env == "prod", "the first call's arguments build it"
    assert Registry() is Registry() and Registry() is not first, (
        "every class using the metaclass has its own instance"
    )
    assert StagingConfig() is not first and isinstance(StagingConfig(), StagingConfig), (
        "a subclass of a singleton gets its own instance"
    )
    Config.reset()
    again = Config("test")
    assert again is not first and again.env == "test", "after reset() a new instance is built"
    assert StagingConfig() is StagingConfig(), (
        "Config.reset() must not stop its subclass from being a singleton: two calls of "
        "StagingConfig() returned two different objects"
    )


@pytest.mark.clause("load-once", "invalidate", "cache-container", "get-or-load")
def test_model_cache_is_a_singleton_that_loads_once(impl: ModuleType) -> None:
    impl.ModelCache.reset()
    caches = race(impl.ModelCache)
    assert len({id(c) for c in caches}) == 1, "ModelCache() must be one instance per process"
    cache = caches[0]
    loads: list[int] = []

    def slow_loader() -> object:
        loads.append(1)
        time.sleep(0.05)
        return object()

    models = race(lambda: impl.ModelCache().get_or_load("efficientnet_b0", slow_loader))
    assert len(loads) == 1, (
        f"{THREADS} concurrent first requests for one model called the loader {len(loads)} "
        "times; hold a lock while loading"
    )
    distinct, cached, size = len({id(m) for m in models}), "efficientnet_b0" in cache, len(cache)
    assert distinct == 1 and cached and size == 1, (
        f"all {THREADS} callers should get the one loaded model, and the cache should then hold "
        f"just 'efficientnet_b0'; got {distinct} distinct models, 'efficientnet_b0' in cache "
        f"{cached}, len(cache) {size}"
    )
    dropped = cache.invalidate("efficientnet_b0")
    still = "efficientnet_b0" in cache
    assert dropped is True and not still, (
        "invalidate('efficientnet_b0') of a cached model should return True and drop it; got "
        f"{dropped!r}, and 'efficientnet_b0' in cache is {still}"
    )
    again = cache.invalidate("efficientnet_b0")
    assert again is False, (
        f"invalidate of a model no longer cached should return False, got {again!r}"
    )
    impl.ModelCache.reset()


@pytest.mark.clause("settings")
def test_get_settings_is_cached(impl: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    impl.get_settings()
    impl.get_settings.cache_clear()
    monkeypatch.setenv("RXVISION_MODEL_DIR", "/srv/models")
    first = impl.get_settings()
    monkeypatch.setenv("RXVISION_MODEL_DIR", "/elsewhere")
    assert impl.get_settings() is first and first.model_dir == "/srv/models", (
        "get_settings() should build Settings once (reading RXVISION_MODEL_DIR then) and return "
        f"the same object afterwards; got model_dir={impl.get_settings().model_dir!r}"
    )
    impl.get_settings.cache_clear()


# -- Observer ----------------------------------------------------------------------------------
@pytest.mark.clause("subscribe", "publish-order", "subscribe-twice", "subscriber-count")
def test_publish_calls_subscribers_in_order(impl: ModuleType) -> None:
    events = impl.ModelEvents()
    log: list[tuple[str, Any]] = []
    recorders = [Recorder(f"r{i:02d}", log) for i in range(20)]
    for recorder in recorders:
        events.subscribe("model_promoted", recorder.on_event)

    def audit(payload: Any) -> None:
        log.append(("audit", payload))

    events.subscribe("model_promoted", audit)
    events.subscribe("model_promoted", recorders[3].on_event)  # again: a no-op
    events.subscribe("model_archived", recorders[0].on_event)
    errors = events.publish("model_promoted", "efficientnet_b0")
    assert errors == [], (
        f"publish returns the subscribers' exceptions; none raised, so want [], got {errors!r}"
    )
    want = [(r.name, "efficientnet_b0") for r in recorders] + [("audit", "efficientnet_b0")]
    assert log == want, (
        f"subscribers should be called once each, in subscription order, with the payload: "
        f"expected {[n for n, _ in want]}, got {[n for n, _ in log]}"
    )
    count = events.subscriber_count("model_promoted")
    assert count == 21, (
        f"20 recorders and audit subscribed (recorder r03 twice, a no-op): want "
        f"subscriber_count 21, got {count}"
    )
    errors = events.publish("nobody_listens", 1)
    assert errors == [], (
        f"publishing an event nobody subscribed to should return [], got {errors!r}"
    )


@pytest.mark.clause("unsubscribe", "unsubscriber")
def test_unsubscribe(impl: ModuleType) -> None:
    events = impl.ModelEvents()
    log: list[tuple[str, Any]] = []
    a, b = Recorder("a", log), Recorder("b", log)
    undo_a = events.subscribe("model_promoted", a.on_event)
    events.subscribe("model_promoted", b.on_event)
    assert undo_a() is True and undo_a() is False, "the returned function unsubscribes once"
    removed = events.unsubscribe("model_promoted", b.on_event)
    assert removed is True, (
        f"unsubscribe of a subscribed callback should return True, got {removed!r}"
    )
    removed = events.unsubscribe("model_promoted", b.on_event)
    assert removed is False, (
        f"unsubscribe of a callback no longer subscribed should return False, got {removed!r}"
    )
    events.publish("model_promoted", 1)
    count = events.subscriber_count("model_promoted")
    assert log == [] and count == 0, (
        "after both subscribers left, publish should call nobody and subscriber_count should be 0; "
        f"got calls {log} and count {count}"
    )


@pytest.mark.clause("publish-changes")
def test_subscribers_may_change_the_list_during_publish(impl: ModuleType) -> None:
    events = impl.ModelEvents()
    log: list[tuple[str, Any]] = []
    a, b, c, d, e = (Recorder(name, log) for name in "abcde")

    def a_leaves(payload: Any) -> None:
        a.on_event(payload)
        events.unsubscribe("promoted", a_leaves)

    def b_removes_d(payload: Any) -> None:
        b.on_event(payload)
        events.unsubscribe("promoted", d.on_event)

    def c_adds_e(payload: Any) -> None:
        c.on_event(payload)
        events.subscribe("promoted", e.on_event)

    for callback in (a_leaves, b_removes_d, c_adds_e, d.on_event):
        events.subscribe("promoted", callback)
    events.publish("promoted", 1)
    assert [name for name, _ in log] == ["a", "b", "c"], (
        "during one publish: a unsubscribes itself (b must not be skipped), b removes d (d is "
        "not called), c adds e (e waits for the next publish); expected calls a, b, c, got "
        f"{[name for name, _ in log]}"
    )
    log.clear()
    events.publish("promoted", 2)
    assert [name for name, _ in log] == ["b", "c", "e"], f"second publish: got {log}"


@pytest.mark.clause("publish-errors")
def test_a_failing_subscriber_does_not_stop_the_others(
    impl: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    events = impl.ModelEvents()
    log: list[tuple[str, Any]] = []
    a, c = Recorder("a", log), Recorder("c", log)

    def broken(payload: Any) -> None:
        raise RuntimeError("cache server down")

    for callback in (a.on_event, broken, c.on_event):
        events.subscribe("model_promoted", callback)
    with caplog.at_level(logging.ERROR):
        errors = events.publish("model_promoted", "v2")
    assert log == [("a", "v2"), ("c", "v2")], (
        f"a subscriber that raises must not stop the others; called: {log}"
    )
    assert len(errors) == 1 and isinstance(errors[0], RuntimeError), (
        f"publish should return the exceptions it caught, got {errors!r}"
    )
    assert any(r.levelno >= logging.ERROR for r in caplog.records), (
        "log the failure (logger.exception(...)) instead of swallowing it silently"
    )


@pytest.mark.clause("weak", "unsubscriber", "subscriber-count")
def test_subscribers_are_held_weakly(impl: ModuleType) -> None:
    events = impl.ModelEvents()
    log: list[tuple[str, Any]] = []
    keeper = Recorder("keeper", log)
    events.subscribe("model_promoted", keeper.on_event)
    temp = Recorder("temp", log)
    undo = events.subscribe("model_promoted", temp.on_event)  # noqa: F841 - held on purpose
    events.publish("model_promoted", 1)
    assert log == [("keeper", 1), ("temp", 1)], (
        f"both live subscribers should be called, got {log}. A weakref.ref to a bound method "
        "dies at once: use weakref.WeakMethod"
    )
    alive = weakref.ref(temp)
    del temp
    gc.collect()
    assert alive() is None, (
        "the hub (or the unsubscribe function it returned) keeps a deleted subscriber alive: "
        "store weak references, and let the unsubscribe closure hold the weak reference only"
    )
    log.clear()
    events.publish("model_promoted", 2)
    assert log == [("keeper", 2)], f"a collected subscriber must not be called, got {log}"
    count = events.subscriber_count("model_promoted")
    assert count == 1, (
        f"subscriber_count counts live subscribers only: want 1 (keeper), got {count}"
    )


@pytest.mark.clause("reset", "per-class")
def test_reset_forgets_only_its_own_class(impl: ModuleType) -> None:
    class Alpha(metaclass=impl.SingletonMeta):
        pass

    class Beta(metaclass=impl.SingletonMeta):
        pass

    alpha, beta = Alpha(), Beta()
    Alpha.reset()
    assert Alpha() is not alpha, "after Alpha.reset() a new Alpha is built"
    assert Beta() is beta, "Alpha.reset() must not forget Beta's instance (reset is per class)"
    Beta.reset()
    Beta.reset()  # resetting a class with no instance is harmless
    assert Beta() is not beta, "after Beta.reset() a new Beta is built, got the old instance"


# -- differential: the same scripts run on the learner's classes and the reference's ----------
def outcome_of(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The value, or the exception's type name (NotImplementedError propagates: not started)."""
    outcome = diff.call(fn, *args, **kwargs)
    if isinstance(outcome.error, NotImplementedError):
        raise outcome.error
    return type(outcome.error).__name__ if outcome.raised else outcome.value


NAMES = ["tiny", "tiny2", "efficientnet_b0", "efficientnet_lite0", "vit_b16", "", None, 42]
PATTERNS = ["*", "tiny*", "*_b?", "[et]*", "efficientnet_[bl]*", "", "?", "vit*", "TINY"]
registry_ops = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.sampled_from(NAMES), st.integers(0, 2)),
        st.tuples(st.just("register-only"), st.sampled_from(NAMES)),
        st.tuples(st.just("create"), st.sampled_from(NAMES), st.sampled_from([{}, {"k": 3}])),
        st.tuples(st.just("list"), st.sampled_from(PATTERNS)),
        st.tuples(st.just("contains"), st.sampled_from(NAMES)),
        st.tuples(st.just("len")),
    ),
    max_size=12,
)


def registry_script(module: ModuleType, ops: list[tuple]) -> Callable[[], object]:
    def run() -> object:
        registry = module.ModelRegistry()
        constructors = [
            lambda **kw: ("first", kw),
            lambda **kw: ("second", kw),
            lambda k=0: ("third", k),
        ]
        trace: list[Any] = []
        for op, *args in ops:
            if op == "register":
                name, which = args
                decorator = outcome_of(registry.register, name)
                if isinstance(decorator, str):
                    trace.append(("register raised", decorator))
                    continue
                got = outcome_of(decorator, constructors[which])
                trace.append(got if isinstance(got, str) else got is constructors[which])
            elif op == "register-only":
                trace.append(type(outcome_of(registry.register, args[0])).__name__)
            elif op == "create":
                name, kwargs = args
                outcome = diff.call(registry.create, name, **kwargs)
                if isinstance(outcome.error, NotImplementedError):
                    raise outcome.error
                if isinstance(outcome.error, module.UnknownModelError):
                    message = str(outcome.error)
                    known = registry.list_models()
                    trace.append(
                        ("UnknownModelError", isinstance(outcome.error, LookupError),
                         str(name) in message, [k for k in known if k not in message])
                    )  # fmt: skip
                else:
                    trace.append(type(outcome.error).__name__ if outcome.raised else outcome.value)
            elif op == "list":
                trace.append(outcome_of(registry.list_models, args[0]))
            elif op == "contains":
                trace.append(outcome_of(lambda n: n in registry, args[0]))
            else:
                trace.append(outcome_of(len, registry))
        return trace, registry.list_models()

    return run


@pytest.mark.clause(
    "register", "register-name", "register-duplicate", "create", "unknown", "list-models",
    "registry-container",
)  # fmt: skip
@settings(report_multiple_bugs=False)  # a stub's NotImplementedError: one "not started"
@given(ops=registry_ops)
@example(ops=[("register", "tiny", 0), ("register", "tiny", 1), ("create", "tiny", {"k": 3})])
@example(ops=[("register-only", ""), ("register-only", None), ("register-only", 42), ("len",)])
@example(ops=[("register", "vit_b16", 0), ("register", "tiny", 2), ("create", "tiny2", {})])
@example(ops=[("register", "tiny", 0), ("register", "tiny2", 0), ("list", "tiny?"), ("list", "")])
def test_registry_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, ops: list[tuple]
) -> None:
    diff.assert_same(registry_script(impl, ops), registry_script(reference, ops))


cache_ops = st.lists(
    st.one_of(
        st.tuples(st.just("get"), st.sampled_from(["b0", "b1", "vit"]), st.integers(0, 3)),
        st.tuples(st.just("invalidate"), st.sampled_from(["b0", "b1", "vit", "nope"])),
        st.tuples(st.just("contains"), st.sampled_from(["b0", "b1", "nope"])),
        st.tuples(st.just("len")),
        st.tuples(st.just("again")),
    ),
    max_size=12,
)


def cache_script(module: ModuleType, ops: list[tuple]) -> Callable[[], object]:
    def run() -> object:
        module.ModelCache.reset()
        try:
            cache = module.ModelCache()
            calls: list[str] = []

            def loader(tag: int, name: str) -> Callable[[], str]:
                def load() -> str | None:
                    calls.append(f"{name}:{tag}")
                    if tag == 3:
                        return None  # any object can be a model, even None
                    return f"model {name} #{tag} (load {len(calls)})"

                return load

            trace: list[Any] = []
            for op, *args in ops:
                if op == "get":
                    name, tag = args
                    trace.append(outcome_of(cache.get_or_load, name, loader(tag, name)))
                elif op == "invalidate":
                    trace.append(outcome_of(cache.invalidate, args[0]))
                elif op == "contains":
                    trace.append(outcome_of(lambda n: n in cache, args[0]))
                elif op == "len":
                    trace.append(outcome_of(len, cache))
                else:
                    trace.append(module.ModelCache() is cache)
            return trace, calls
        finally:
            module.ModelCache.reset()

    return run


@pytest.mark.clause("get-or-load", "invalidate", "cache-container", "singleton")
@settings(report_multiple_bugs=False)
@given(ops=cache_ops)
@example(ops=[("get", "b0", 0), ("get", "b0", 1), ("invalidate", "b0"), ("get", "b0", 2)])
@example(ops=[("invalidate", "nope"), ("get", "b1", 0), ("len",), ("again",), ("contains", "b1")])
@example(ops=[("get", "vit", 3), ("contains", "vit"), ("invalidate", "vit"), ("len",)])
def test_model_cache_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, ops: list[tuple]
) -> None:
    diff.assert_same(cache_script(impl, ops), cache_script(reference, ops))


class World:
    """One hub and its would-be subscribers; ``callbacks[i]`` names a subscriber.

    0-3: bound methods of four Recorders; 4: a function; 5: a function that raises;
    6: a function that unsubscribes itself; 7: one that unsubscribes recorder 1;
    8: one that subscribes recorder 2. Payloads are ``(event, n)``.
    """

    def __init__(self, module: ModuleType) -> None:
        self.hub = module.ModelEvents()
        self.log: list[Any] = []
        self.undos: list[Callable[[], bool]] = []
        self.recorders: list[Recorder | None] = [Recorder(f"r{i}", self.log) for i in range(4)]

        def plain(payload: Any) -> None:
            self.log.append(("plain", payload))

        def broken(payload: Any) -> None:
            self.log.append(("broken", payload))
            raise RuntimeError(f"subscriber failed on {payload}")

        def leaver(payload: Any) -> None:
            self.log.append(("leaver", payload))
            self.log.append(("leaver left", self.hub.unsubscribe(payload[0], leaver)))

        def remover(payload: Any) -> None:
            self.log.append(("remover", payload))
            target = self.callback(1)
            if target is not None:
                self.log.append(("removed r1", self.hub.unsubscribe(payload[0], target)))

        def adder(payload: Any) -> None:
            self.log.append(("adder", payload))
            target = self.callback(2)
            if target is not None:
                self.hub.subscribe(payload[0], target)

        self.functions: list[Callable[[Any], None] | None] = [plain, broken, leaver, remover, adder]

    def callback(self, i: int) -> Callable[[Any], None] | None:
        if i < 4:
            recorder = self.recorders[i]
            return None if recorder is None else recorder.on_event
        return self.functions[i - 4]

    def drop(self, i: int) -> None:
        if i < 4:
            self.recorders[i] = None  # freed at once: nothing else refers to it
        else:
            self.functions[i - 4] = None
            if i == 6:
                gc.collect()  # leaver refers to itself (a cycle): only the collector frees it


observer_ops = st.lists(
    st.one_of(
        st.tuples(st.just("sub"), st.sampled_from("xy"), st.integers(0, 8)),
        st.tuples(st.just("sub"), st.just("x"), st.integers(0, 8)),
        st.tuples(st.just("unsub"), st.sampled_from("xy"), st.integers(0, 8)),
        st.tuples(st.just("undo"), st.integers(0, 5)),
        st.tuples(st.just("pub"), st.sampled_from("xxy")),
        st.tuples(st.just("count"), st.sampled_from("xy")),
        st.tuples(st.just("drop"), st.integers(0, 8)),
    ),
    max_size=16,
)


def observer_script(module: ModuleType, ops: list[tuple]) -> Callable[[], object]:
    def run() -> object:
        world = World(module)
        trace: list[Any] = []
        logger = logging.getLogger(module.__name__)
        level, logger.disabled = logger.disabled, True  # failures are logged: keep output quiet
        try:
            for n, (op, *args) in enumerate(ops):
                if op in ("sub", "unsub"):
                    event, i = args
                    callback = world.callback(i)
                    if callback is None:
                        trace.append("gone")
                    elif op == "sub":
                        world.undos.append(outcome_of(world.hub.subscribe, event, callback))
                        trace.append("subscribed")
                    else:
                        trace.append(outcome_of(world.hub.unsubscribe, event, callback))
                    del callback
                elif op == "undo":
                    k = args[0]
                    trace.append(outcome_of(world.undos[k]) if k < len(world.undos) else "none")
                elif op == "pub":
                    world.log.clear()
                    errors = outcome_of(world.hub.publish, args[0], (args[0], n))
                    if not isinstance(errors, str):
                        errors = [(type(e).__name__, str(e)) for e in errors]
                    trace.append((list(world.log), errors))
                elif op == "count":
                    trace.append(outcome_of(world.hub.subscriber_count, args[0]))
                else:
                    world.drop(args[0])
                    trace.append("dropped")
            return trace
        finally:
            logger.disabled = level

    return run


@pytest.mark.clause(
    "subscribe", "weak", "unsubscriber", "subscribe-twice", "unsubscribe", "publish-order",
    "publish-errors", "publish-changes", "subscriber-count",
)  # fmt: skip
@settings(report_multiple_bugs=False)
@given(ops=observer_ops)
@example(ops=[("sub", "x", 0), ("sub", "x", 0), ("undo", 1), ("pub", "x"), ("count", "x")])
@example(ops=[("sub", "x", 0), ("unsub", "x", 0), ("sub", "x", 0), ("undo", 0), ("pub", "x")])
@example(
    ops=[("sub", "x", 6), ("sub", "x", 0), ("sub", "x", 7), ("sub", "x", 1), ("sub", "x", 8),
         ("sub", "x", 5), ("sub", "x", 3), ("pub", "x"), ("pub", "x"), ("count", "x")]
)  # fmt: skip
@example(ops=[("sub", "x", 0), ("sub", "x", 4), ("drop", 0), ("count", "x"), ("pub", "x")])
@example(ops=[("sub", "x", 0), ("drop", 0), ("undo", 0), ("sub", "y", 1), ("undo", 1)])
def test_observer_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, ops: list[tuple]
) -> None:
    diff.assert_same(observer_script(impl, ops), observer_script(reference, ops))


# -- last, because a deadlock here would block the metaclass lock for later tests --------------
@pytest.mark.clause("reentrant")
def test_one_singleton_may_create_another_in_its_init(impl: ModuleType) -> None:
    class Settings2(metaclass=impl.SingletonMeta):
        pass

    class Service(metaclass=impl.SingletonMeta):
        def __init__(self) -> None:
            self.settings = Settings2()

    done: list[Any] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            done.append(Service())
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    worker = threading.Thread(target=build, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if errors:
        raise errors[0]
    assert done, (
        "Service.__init__ creates another singleton and the call never returned: a plain "
        "threading.Lock shared by all classes deadlocks here; use an RLock or a lock per class"
    )
    assert done[0].settings is Settings2(), (
        "Settings2() built inside Service.__init__ should be the Settings2 singleton, but "
        "Settings2() now returns a different object"
    )
