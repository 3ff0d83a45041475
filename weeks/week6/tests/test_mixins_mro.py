"""Tests of week6.mixins_mro: a predictor hierarchy with cooperative ``super()`` and mixins.

Every class logs ``init:<Class>`` and ``predict:<Class>`` in ``self.events``, so the tests can see
which code ran, how often and in which order. The model is ``ChannelMean`` (the mean of each
colour channel), so a red image is predicted ``"red"``; the clock is fake (it advances by exactly
1.0 per call). Run: ``pytest weeks/week6/tests/test_mixins_mro.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch import nn

from grader import differential as diff

LABELS = ("red", "green", "blue")
SIZE = 8
INIT_ORDER = [
    "init:BasePredictor",
    "init:TorchPredictor",
    "init:EfficientNetPredictor",
]


class ChannelMean(nn.Module):
    """Scores = the mean of each channel: (N, C, H, W) -> (N, C)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.dtype == torch.float32 and x.ndim == 4, f"got {x.dtype}, {tuple(x.shape)}"
        return x.mean(dim=(-1, -2))


def fake_clock() -> Callable[[], float]:
    ticks = iter(range(10_000))
    return lambda: float(next(ticks))


def image(channel: int, size: int = SIZE, level: float = 1.0) -> np.ndarray:
    x = np.zeros((3, size, size))
    x[channel] = level
    return x


def build(impl: ModuleType, cls_name: str, **kwargs: Any) -> Any:
    args: dict[str, Any] = {
        "labels": LABELS,
        "model": ChannelMean(),
        "input_size": SIZE,
        "cache_size": 2,
        "clock": fake_clock(),
    }
    return getattr(impl, cls_name)(**(args | kwargs))


def mro_names(cls: type) -> list[str]:
    return [c.__name__ for c in cls.__mro__]


# -- multilevel --------------------------------------------------------------------------------
@pytest.mark.clause("init-chain", "eval-mode", "labels", "scores", "predict-chain")
def test_multilevel_chain_runs_every_level_once(impl: ModuleType) -> None:
    model = ChannelMean().train()
    p = impl.EfficientNetPredictor(labels=LABELS, model=model, input_size=SIZE)
    assert p.events == INIT_ORDER, (
        f"EfficientNetPredictor(...) should log {INIT_ORDER} (each __init__ calls super() "
        f"first, then logs), got {p.events}"
    )
    assert not model.training, "TorchPredictor should put an nn.Module model in eval mode"
    assert (p.labels, p.input_size) == (LABELS, SIZE), (
        f"labels and input_size should be kept as passed, want {(LABELS, SIZE)!r}, "
        f"got {(p.labels, p.input_size)!r}"
    )
    assert p.predict(image(2)) == "blue", "a blue image should be predicted 'blue'"
    want = ["predict:EfficientNetPredictor", "predict:TorchPredictor", "predict:BasePredictor"]
    assert p.events[3:] == want, f"predict should go down the chain {want}, got {p.events[3:]}"
    scores = p.scores(image(1, level=0.5))
    assert isinstance(scores, np.ndarray) and np.allclose(scores, [0, 0.5, 0]), (
        f"scores should be row 0 of the model output as a NumPy array, got {scores!r}"
    )
    assert mro_names(impl.EfficientNetPredictor)[:3] == [
        "EfficientNetPredictor",
        "TorchPredictor",
        "BasePredictor",
    ], (
        "EfficientNetPredictor's MRO should start EfficientNetPredictor, TorchPredictor, "
        f"BasePredictor, got {mro_names(impl.EfficientNetPredictor)}"
    )


@pytest.mark.clause("input-size", "ndim", "labels")
def test_each_level_validates_its_input(impl: ModuleType) -> None:
    p = impl.EfficientNetPredictor(labels=LABELS, model=ChannelMean(), input_size=SIZE)
    with pytest.raises(ValueError):
        p.predict(image(0, size=SIZE + 1))
        pytest.fail("an image of the wrong size should raise ValueError")
    with pytest.raises(ValueError):
        p.predict(np.zeros((SIZE, SIZE)))
        pytest.fail("a 2-D array should raise ValueError (TorchPredictor wants (C, H, W))")
    with pytest.raises(ValueError):
        impl.EfficientNetPredictor(labels=(), model=ChannelMean())


@pytest.mark.clause("unknown-kwarg", "cache-size")
def test_unknown_keyword_arguments_are_rejected(impl: ModuleType) -> None:
    build(impl, "CachedTimedEfficientNet")
    with pytest.raises(TypeError):
        build(impl, "CachedTimedEfficientNet", colour_space="RGB")
        pytest.fail(
            "an unknown keyword should reach object.__init__ and raise TypeError: "
            "BasePredictor must pass its leftover **kwargs to super().__init__"
        )
    with pytest.raises(ValueError):
        build(impl, "CachedTimedEfficientNet", cache_size=0)


# -- multiple inheritance: the MRO and the diamond ---------------------------------------------
@pytest.mark.clause("mro", "init-order")
@pytest.mark.parametrize(
    ("cls_name", "first", "second"),
    [
        ("CachedTimedEfficientNet", "CachingMixin", "TimingMixin"),
        ("TimedCachedEfficientNet", "TimingMixin", "CachingMixin"),
    ],
)
def test_mro_and_init_order_in_the_diamond(
    impl: ModuleType, cls_name: str, first: str, second: str
) -> None:
    p = build(impl, cls_name)
    want_mro = [cls_name, first, second, "EfficientNetPredictor", "TorchPredictor"]
    want_mro += ["BasePredictor"]
    got_mro = mro_names(type(p))
    assert got_mro[:6] == want_mro, (
        f"{cls_name}.__mro__ should start {want_mro} (list the mixins first, outermost first, "
        f"then EfficientNetPredictor), got {got_mro}"
    )
    want = [*INIT_ORDER, f"init:{second}", f"init:{first}"]
    assert p.events == want, (
        f"{cls_name}(...) should run every __init__ exactly once, in reverse MRO order: "
        f"{want}; got {p.events}. A class that calls a parent's __init__ directly (not "
        "super()) skips or repeats parts of the diamond."
    )


@pytest.mark.clause("init-chain", "predict-chain")
def test_a_new_mixin_joins_the_chain(impl: ModuleType) -> None:
    class AuditMixin(impl.BasePredictor):
        def __init__(self, *, audit_log: list[str], **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.audit_log = audit_log
            self.events.append("init:AuditMixin")

        def predict(self, x: np.ndarray) -> str:
            self.events.append("predict:AuditMixin")
            label = super().predict(x)
            self.audit_log.append(label)
            return label

    class Audited(AuditMixin, impl.CachedTimedEfficientNet):
        pass

    log: list[str] = []
    p = Audited(
        audit_log=log,
        labels=LABELS,
        model=ChannelMean(),
        input_size=SIZE,
        cache_size=4,
        clock=fake_clock(),
    )
    assert p.events.count("init:BasePredictor") == 1 and p.events[-1] == "init:AuditMixin", (
        f"a mixin written by someone else should slot in: every __init__ once, got {p.events}"
    )
    assert p.cache_size == 4 and len(p.events) == 6, (
        f"each keyword should reach the class that takes it, got events {p.events}"
    )
    label = p.predict(image(1))
    assert label == "green" and log == ["green"], (
        "with the mixin in the chain a green image should still be predicted 'green' and logged "
        f"once by AuditMixin, got {label!r} and audit log {log}"
    )


# -- the order in which the mixins wrap predict ------------------------------------------------
@pytest.mark.clause("hit-not-timed", "cache-hit", "predict-chain")
def test_caching_outermost_skips_the_timer_on_a_hit(impl: ModuleType) -> None:
    p = build(impl, "CachedTimedEfficientNet")
    start = len(p.events)
    label = p.predict(image(0))
    assert label == "red", f"a red image should be predicted 'red', got {label!r}"
    assert p.predict(image(0)) == "red", "the cached answer should be returned on a hit"
    want = [
        "predict:CachingMixin",
        "predict:TimingMixin",
        "predict:EfficientNetPredictor",
        "predict:TorchPredictor",
        "predict:BasePredictor",
        "predict:CachingMixin",
    ]
    assert p.events[start:] == want, (
        f"a miss should go through the whole chain and a hit stop at CachingMixin: {want}, "
        f"got {p.events[start:]}"
    )
    assert p.timings == [1.0], (
        f"with caching outermost only the miss is timed (fake clock: 1.0 per call), "
        f"got timings {p.timings}"
    )
    assert (p.cache_hits, p.cache_misses) == (1, 1), (
        "the same image twice is one miss then one hit: want (cache_hits, cache_misses) (1, 1), "
        f"got {(p.cache_hits, p.cache_misses)}"
    )


@pytest.mark.clause("hit-timed", "timing")
def test_timing_outermost_times_every_call(impl: ModuleType) -> None:
    p = build(impl, "TimedCachedEfficientNet")
    start = len(p.events)
    p.predict(image(2))
    p.predict(image(2))
    want = [
        "predict:TimingMixin",
        "predict:CachingMixin",
        "predict:EfficientNetPredictor",
        "predict:TorchPredictor",
        "predict:BasePredictor",
        "predict:TimingMixin",
        "predict:CachingMixin",
    ]
    assert p.events[start:] == want, f"expected {want}, got {p.events[start:]}"
    assert p.timings == [1.0, 1.0], f"both calls (miss and hit) are timed, got {p.timings}"


@pytest.mark.clause("timing-raises", "cache-miss")
def test_timing_is_recorded_when_predict_raises(impl: ModuleType) -> None:
    p = build(impl, "TimedCachedEfficientNet")
    with pytest.raises(ValueError):
        p.predict(image(0, size=SIZE * 2))
    assert p.timings == [1.0], (
        f"a failing call must be timed too (try/finally in TimingMixin), got {p.timings}"
    )
    misses = p.cache_misses
    label = p.predict(image(0))
    assert misses == 1 and label == "red", (
        "the failing call counts as one cache miss, and the predictor should still work after it "
        f"(a red image gives 'red'); got cache_misses {misses} and {label!r}"
    )


@pytest.mark.clause("cache-key", "cache-lru")
def test_cache_is_keyed_by_content_and_bounded(impl: ModuleType) -> None:
    p = build(impl, "CachedTimedEfficientNet")  # cache_size=2
    a = image(0)
    p.predict(a)
    p.predict(a.copy())
    assert p.cache_hits == 1, (
        "an equal array (another object, same content) should be a cache hit: key by content "
        f"(shape, dtype, bytes), not id(x); hits={p.cache_hits}"
    )
    a[:] = 0
    a[2] = 1.0  # same object, now blue
    assert p.predict(a) == "blue", "an array changed in place is new content: not a stale hit"
    p.predict(image(1))  # cache now holds blue, green; red was least recently used
    misses = p.cache_misses
    p.predict(image(0))
    assert p.cache_misses == misses + 1, (
        "cache_size=2: after red, blue, green the red entry should have been evicted (LRU)"
    )
    p.predict(image(1))
    assert p.cache_misses == misses + 1, "green is still cached"


# -- differential: the same scripts run on the learner's classes and the reference's ----------
def _pool() -> list[np.ndarray]:
    blue4 = np.zeros((3, 4, 4))
    blue4[2] = 2.0
    return [
        image(0),  # 0: red
        image(0).copy(),  # 1: the same content, another object
        image(1),  # 2: green
        image(2, level=0.5),  # 3: blue
        np.zeros((3, SIZE, SIZE)),  # 4: a three-way tie: the first label
        np.zeros((3, SIZE, SIZE), dtype=np.float32),  # 5: same values, another dtype
        np.zeros((6, SIZE, SIZE), dtype=np.float32),  # 6: the bytes of 4, another shape
        image(0, size=SIZE + 1),  # 7: wrong size
        np.zeros((SIZE, SIZE)),  # 8: 2-D
        np.zeros((1, 3, SIZE, SIZE)),  # 9: 4-D
        blue4,  # 10: right for input_size=4
        np.zeros((3, SIZE, SIZE + 1)),  # 11: not square
        np.zeros((3, SIZE, SIZE), dtype=np.int64),  # 12: the bytes and shape of 4, another dtype
    ]


POOL = _pool()
CLASSES = [
    "CachedTimedEfficientNet",
    "TimedCachedEfficientNet",
    "CachedOnly",
    "TimedOnly",
]


def make(module: ModuleType, cls_name: str, kwargs: dict[str, Any]) -> Any:
    """An instance of one of the module's classes, or of a combination built from its mixins."""
    if cls_name == "CachedOnly":
        cls = type("CachedOnly", (module.CachingMixin, module.EfficientNetPredictor), {})
    elif cls_name == "TimedOnly":
        cls = type("TimedOnly", (module.TimingMixin, module.EfficientNetPredictor), {})
    else:
        cls = getattr(module, cls_name)
    return cls(**kwargs)


def state(p: Any) -> dict[str, Any]:
    """Everything a predictor lets the outside see, for the comparison."""
    seen = {"events": list(p.events), "labels": p.labels}
    for attr in ("timings", "cache_hits", "cache_misses", "cache_size", "input_size"):
        if hasattr(p, attr):
            seen[attr] = getattr(p, attr)
    return seen


def session(
    module: ModuleType, cls_name: str, kwargs: dict[str, Any], script: list[int]
) -> Callable[[], object]:
    """Build, then predict each pool image of ``script``; record every outcome and the state."""

    def run() -> object:
        extra = {"clock": fake_clock()} if "Timed" in cls_name else {}
        p = make(module, cls_name, {**kwargs, **extra, "model": ChannelMean()})
        trace: list[object] = [state(p)]
        for index in script:
            outcome = diff.call(p.predict, POOL[index].copy())  # a new object: key by content
            if isinstance(outcome.error, NotImplementedError):
                raise outcome.error
            result = outcome.value if not outcome.raised else type(outcome.error).__name__
            trace.append((index, result, state(p)))
        return trace

    return run


@pytest.mark.clause(
    "init-chain", "init-order", "predict-chain", "argmax", "ndim", "input-size", "cache-key",
    "cache-hit", "cache-miss", "cache-lru", "timing", "timing-raises", "hit-not-timed",
    "hit-timed", "mro",
)  # fmt: skip
@settings(report_multiple_bugs=False)  # a stub's NotImplementedError: one "not started"
@given(
    cls_name=st.sampled_from(CLASSES),
    input_size=st.sampled_from([None, 4, SIZE]),
    cache_size=st.sampled_from([None, 1, 2, 3]),
    script=st.lists(st.integers(0, len(POOL) - 1), max_size=10),
)
@example(cls_name="CachedOnly", input_size=SIZE, cache_size=2, script=[0, 2, 1, 3, 0, 2])
@example(cls_name="CachedOnly", input_size=SIZE, cache_size=3, script=[4, 5, 6, 4, 5, 6, 12])
@example(cls_name="TimedCachedEfficientNet", input_size=SIZE, cache_size=1, script=[7, 7, 8, 9])
@example(cls_name="CachedTimedEfficientNet", input_size=4, cache_size=1, script=[10, 0, 10, 11])
def test_predictors_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    cls_name: str,
    input_size: int | None,
    cache_size: object,
    script: list[int],
) -> None:
    kwargs: dict[str, Any] = {"labels": list(LABELS)}
    if input_size is not None:
        kwargs["input_size"] = input_size
    if "Cached" in cls_name and cache_size is not None:
        kwargs["cache_size"] = cache_size
    diff.assert_same(
        session(impl, cls_name, kwargs, script), session(reference, cls_name, kwargs, script)
    )


@pytest.mark.clause("argmax", "input-size", "predict-chain", "ndim")
@given(script=st.lists(st.integers(0, len(POOL) - 1), max_size=6))
@example(script=[4, 6, 9, 11])
def test_plain_efficientnet_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, script: list[int]
) -> None:
    kwargs = {"labels": list(LABELS), "input_size": SIZE}

    def run(module: ModuleType) -> Callable[[], object]:
        def go() -> object:
            p = module.EfficientNetPredictor(**kwargs, model=ChannelMean())
            out = []
            for index in script:
                outcome = diff.call(p.predict, POOL[index])
                if isinstance(outcome.error, NotImplementedError):
                    raise outcome.error
                out.append(outcome.value if not outcome.raised else type(outcome.error).__name__)
            return out, state(p), p.scores(POOL[3])

        return go

    diff.assert_same(run(impl), run(reference))


@pytest.mark.clause("input-size")
def test_input_size_defaults_to_224(impl: ModuleType) -> None:
    p = impl.EfficientNetPredictor(labels=LABELS, model=ChannelMean())
    assert p.input_size == 224, f"input_size should default to 224, got {p.input_size}"
    label = p.predict(image(1, size=224))
    assert label == "green", (
        f"with the default input_size a green 224x224 image should give 'green', got {label!r}"
    )
    with pytest.raises(ValueError):
        p.predict(image(1, size=SIZE))
        pytest.fail("with the default input_size=224, an 8x8 image should raise ValueError")


@pytest.mark.clause("cache-size", "labels", "unknown-kwarg", "init-chain")
@settings(report_multiple_bugs=False)
@given(
    cls_name=st.sampled_from(["CachedTimedEfficientNet", "TimedCachedEfficientNet", "CachedOnly"]),
    cache_size=st.sampled_from([1, 2, 10**9, 0, -1, True, False, 1.0, 2.5, "2", None]),
    labels=st.sampled_from([["a", "b", "c"], ["only"], [], ()]),
    extra=st.sampled_from([{}, {"colour_space": "RGB"}]),
)
@example(cls_name="CachedOnly", cache_size=True, labels=["a"], extra={})
@example(cls_name="CachedOnly", cache_size=1, labels=[], extra={"colour_space": "RGB"})
def test_construction_errors_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    cls_name: str,
    cache_size: object,
    labels: list[str],
    extra: dict[str, Any],
) -> None:
    def build_(module: ModuleType) -> Callable[[], object]:
        def go() -> object:
            kwargs = {"labels": labels, "model": ChannelMean(), "cache_size": cache_size, **extra}
            if "Timed" in cls_name:
                kwargs["clock"] = fake_clock()
            return state(make(module, cls_name, kwargs))

        return go

    diff.assert_same(build_(impl), build_(reference))


class GradSpy(nn.Module):
    """A model with a trainable weight that records its mode and whether autograd was on."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(3))
        self.seen: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append((self.training, torch.is_grad_enabled()))
        return x.mean(dim=(-1, -2)) * self.weight


@pytest.mark.clause("eval-mode", "scores")
def test_the_model_runs_in_eval_mode_without_autograd(impl: ModuleType) -> None:
    model = GradSpy().train()
    p = impl.EfficientNetPredictor(labels=LABELS, model=model, input_size=SIZE)
    scores = p.scores(image(2, level=0.25))
    assert isinstance(scores, np.ndarray) and scores.shape == (3,), (
        f"scores should be row 0 of the (1, n_labels) output as a NumPy array, got {scores!r}"
    )
    np.testing.assert_allclose(scores, [0.0, 0.0, 0.25], rtol=1e-6)
    label = p.predict(image(0))
    assert label == "red", f"a red image should be predicted 'red', got {label!r}"
    assert model.seen == [(False, False), (False, False)], (
        "the model should run in eval mode (model.eval() in __init__) and under "
        f"torch.no_grad() (no autograd graph): (training, grad enabled) per call = {model.seen}"
    )
    plain = impl.EfficientNetPredictor(labels=LABELS, model=lambda t: t.mean(dim=(-1, -2)))
    assert plain.predict(image(1, size=224)) == "green", "any callable model should work"
