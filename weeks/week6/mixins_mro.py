"""Drill (20 min): single, multiple and multilevel inheritance with cooperative ``super()``.

RxVision's predictors form a hierarchy, and two cross-cutting features (a result cache and a
timer) are added by *mixins*. Everything must cooperate through ``super()`` so that, whatever
the combination, each class's code runs exactly once, in the order of the MRO.

**Multilevel:** ``BasePredictor`` -> ``TorchPredictor`` -> ``EfficientNetPredictor``.
**Multiple:** ``CachingMixin`` and ``TimingMixin`` also derive from ``BasePredictor``, so
``class CachedTimedEfficientNet(CachingMixin, TimingMixin, EfficientNetPredictor)`` is a
diamond over ``BasePredictor``; C3 linearisation gives the MRO
``CachedTimedEfficientNet, CachingMixin, TimingMixin, EfficientNetPredictor, TorchPredictor,
BasePredictor, ABC, object`` and ``BasePredictor.__init__`` must still run once. [#mro]

The cooperative rules (every class follows them):

- ``__init__`` takes **keyword-only** arguments: its own, and ``**kwargs`` for the rest. It calls
  ``super().__init__(**kwargs)`` **first** (so the checks of the classes below it come first),
  then sets its attributes, then appends ``"init:<ClassName>"`` to ``self.events``. [#init-chain]
  ``BasePredictor`` creates ``self.events`` (as ``["init:BasePredictor"]``) and passes its
  leftover ``**kwargs`` on to ``object``, so an unknown keyword raises ``TypeError``.
  [#unknown-kwarg] The init events therefore come in reverse MRO order. [#init-order]
- ``predict(x)`` first appends ``"predict:<ClassName>"`` to ``self.events`` (also when it then
  raises), does its part and calls ``super().predict(x)``, so the class listed first is the
  outermost wrapper. [#predict-chain]

The classes (``x`` is a float NumPy array of shape ``(C, H, W)``):

- ``BasePredictor(*, labels)``: ``self.labels = tuple(labels)`` (``ValueError`` if empty).
  [#labels] Abstract ``scores(x) -> np.ndarray`` (given); ``predict(x)`` returns the label of the
  highest score (``labels[argmax(scores(x))]``; ties go to the first of them). [#argmax]
- ``TorchPredictor(*, model, **kw)``: ``self.model`` is a callable from a ``(1, C, H, W)``
  float32 tensor to ``(1, n_labels)`` scores, e.g. an ``nn.Module`` (then put it in eval mode).
  [#eval-mode] ``scores(x)`` runs it under ``torch.no_grad()`` and returns row 0 as a NumPy
  array. [#scores] ``predict(x)`` raises ``ValueError`` unless ``x`` has 3 dimensions. [#ndim]
- ``EfficientNetPredictor(*, input_size=224, **kw)``: ``predict(x)`` raises ``ValueError``
  unless ``x.shape[-2:] == (input_size, input_size)``. [#input-size]
- ``CachingMixin(*, cache_size=128, **kw)`` (``ValueError`` unless an int >= 1; ``bool`` is not
  an int here). [#cache-size] An LRU cache of answers keyed by the array's *content* (shape, dtype
  and bytes, e.g. a SHA-256 of ``x.tobytes()``; never ``id(x)``). [#cache-key] On a hit:
  ``cache_hits += 1``, return the cached label *without* calling ``super().predict``.
  [#cache-hit] On a miss: ``cache_misses += 1`` (a call that then raises is a miss too), call
  ``super().predict(x)``, store [#cache-miss], evict the least recently used entry beyond
  ``cache_size`` (a hit makes an entry the most recently used). [#cache-lru]
- ``TimingMixin(*, clock=time.perf_counter, **kw)``: ``predict`` appends
  ``clock() - start`` to ``self.timings`` for every call that reaches it [#timing], **also when
  it raises** (``try``/``finally``). [#timing-raises]
- ``CachedTimedEfficientNet`` (given): caching outermost, so a cache hit is not timed.
  [#hit-not-timed] ``TimedCachedEfficientNet`` (given): timing outermost, so every call is
  timed, hits included. [#hit-timed]
  Both are just three bases in an order: no body. They only work once every class above
  cooperates.

Example::

    >>> p = CachedTimedEfficientNet(labels=["red", "green", "blue"], model=ChannelMean(),
    ...                             input_size=8, cache_size=2)
    >>> p.events
    ['init:BasePredictor', 'init:TorchPredictor', 'init:EfficientNetPredictor',
     'init:TimingMixin', 'init:CachingMixin']
    >>> p.predict(red_image); p.predict(red_image)   # a miss, then a hit
    'red'
    'red'
    >>> p.events[5:]
    ['predict:CachingMixin', 'predict:TimingMixin', 'predict:EfficientNetPredictor',
     'predict:TorchPredictor', 'predict:BasePredictor', 'predict:CachingMixin']
    >>> len(p.timings), p.cache_hits
    (1, 1)
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

__all__ = [
    "BasePredictor",
    "CachedTimedEfficientNet",
    "CachingMixin",
    "EfficientNetPredictor",
    "TimedCachedEfficientNet",
    "TimingMixin",
    "TorchPredictor",
]


class BasePredictor(ABC):
    """The root: labels, an event log, and ``predict`` = the label of the highest score."""

    def __init__(self, *, labels: Sequence[str], **kwargs: Any) -> None:
        # TODO: super().__init__(**kwargs) first; then labels, then self.events
        raise NotImplementedError

    @abstractmethod
    def scores(self, x: np.ndarray) -> np.ndarray:
        """One score per label for the input ``x``. (Given: abstract.)"""

    def predict(self, x: np.ndarray) -> str:
        """Log ``predict:BasePredictor`` and return the label with the highest score."""
        # TODO
        raise NotImplementedError


class TorchPredictor(BasePredictor):
    """Scores come from a PyTorch model run on a ``(C, H, W)`` array, in eval mode, no grad."""

    def __init__(self, *, model: Callable[[torch.Tensor], torch.Tensor], **kwargs: Any) -> None:
        # TODO
        raise NotImplementedError

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Row 0 of ``model(x as a (1, C, H, W) float32 tensor)``, as a NumPy array."""
        # TODO
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> str:
        """``ValueError`` unless ``x`` is 3-D; otherwise the next class's ``predict``."""
        # TODO
        raise NotImplementedError


class EfficientNetPredictor(TorchPredictor):
    """A TorchPredictor that only accepts square images of its input size."""

    def __init__(self, *, input_size: int = 224, **kwargs: Any) -> None:
        # TODO
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> str:
        """``ValueError`` unless ``x.shape[-2:] == (input_size, input_size)``."""
        # TODO
        raise NotImplementedError


class CachingMixin(BasePredictor):
    """Remembers the last ``cache_size`` answers by input content (LRU)."""

    def __init__(self, *, cache_size: int = 128, **kwargs: Any) -> None:
        # TODO: cache_size, cache_hits, cache_misses, the cache
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> str:
        """A hit returns the cached label; a miss asks ``super().predict`` and stores it."""
        # TODO
        raise NotImplementedError


class TimingMixin(BasePredictor):
    """Appends the duration of every ``predict`` call (even a failing one) to ``timings``."""

    def __init__(self, *, clock: Callable[[], float] = time.perf_counter, **kwargs: Any) -> None:
        # TODO: clock, timings
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> str:
        # TODO: try/finally around super().predict(x)
        raise NotImplementedError


# Given: nothing to write below, but predict the MRO and the order of the events before you run
# the tests. Why is the mixin listed first the outermost wrapper?
class CachedTimedEfficientNet(CachingMixin, TimingMixin, EfficientNetPredictor):
    """Caching is the outermost wrapper: a cache hit is not timed."""


class TimedCachedEfficientNet(TimingMixin, CachingMixin, EfficientNetPredictor):
    """Timing is the outermost wrapper: every call is timed, cache hits too."""
