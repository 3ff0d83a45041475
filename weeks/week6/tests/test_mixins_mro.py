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
from torch import nn

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
def test_multilevel_chain_runs_every_level_once(impl: ModuleType) -> None:
    model = ChannelMean().train()
    p = impl.EfficientNetPredictor(labels=LABELS, model=model, input_size=SIZE)
    assert p.events == INIT_ORDER, (
        f"EfficientNetPredictor(...) should log {INIT_ORDER} (each __init__ calls super() "
        f"first, then logs), got {p.events}"
    )
    assert not model.training, "TorchPredictor should put an nn.Module model in eval mode"
    assert (p.labels, p.input_size) == (LABELS, SIZE)
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
    ]


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
    assert p.predict(image(1)) == "green" and log == ["green"]


# -- the order in which the mixins wrap predict ------------------------------------------------
def test_caching_outermost_skips_the_timer_on_a_hit(impl: ModuleType) -> None:
    p = build(impl, "CachedTimedEfficientNet")
    start = len(p.events)
    assert p.predict(image(0)) == "red"
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
    assert (p.cache_hits, p.cache_misses) == (1, 1)


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


def test_timing_is_recorded_when_predict_raises(impl: ModuleType) -> None:
    p = build(impl, "TimedCachedEfficientNet")
    with pytest.raises(ValueError):
        p.predict(image(0, size=SIZE * 2))
    assert p.timings == [1.0], (
        f"a failing call must be timed too (try/finally in TimingMixin), got {p.timings}"
    )
    assert p.cache_misses == 1 and p.predict(image(0)) == "red"


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
