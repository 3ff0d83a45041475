"""Single, multilevel and multiple inheritance with cooperative ``super()``.

Reference solution of the drill ``week6.mixins_mro`` (the prompt is the stub's docstring).
"""

from __future__ import annotations

import hashlib
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
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
        super().__init__(**kwargs)  # object.__init__ rejects any keyword left over
        if not labels:
            raise ValueError("labels must not be empty")
        self.labels = tuple(labels)
        self.events: list[str] = ["init:BasePredictor"]

    @abstractmethod
    def scores(self, x: np.ndarray) -> np.ndarray:
        """One score per label for the input ``x``."""

    def predict(self, x: np.ndarray) -> str:
        self.events.append("predict:BasePredictor")
        return self.labels[int(np.argmax(self.scores(x)))]


class TorchPredictor(BasePredictor):
    """Scores come from a PyTorch model run on a ``(C, H, W)`` array, in eval mode, no grad."""

    def __init__(self, *, model: Callable[[torch.Tensor], torch.Tensor], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(model, torch.nn.Module):
            model.eval()
        self.model = model
        self.events.append("init:TorchPredictor")

    def scores(self, x: np.ndarray) -> np.ndarray:
        batch = torch.as_tensor(np.asarray(x), dtype=torch.float32).unsqueeze(0)
        with torch.no_grad():
            return self.model(batch)[0].numpy()

    def predict(self, x: np.ndarray) -> str:
        self.events.append("predict:TorchPredictor")
        if np.ndim(x) != 3:
            raise ValueError(f"expected a (C, H, W) array, got shape {np.shape(x)}")
        return super().predict(x)


class EfficientNetPredictor(TorchPredictor):
    """A TorchPredictor that only accepts square images of its input size."""

    def __init__(self, *, input_size: int = 224, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.input_size = input_size
        self.events.append("init:EfficientNetPredictor")

    def predict(self, x: np.ndarray) -> str:
        self.events.append("predict:EfficientNetPredictor")
        size = (self.input_size, self.input_size)
        if tuple(np.shape(x)[-2:]) != size:
            raise ValueError(f"expected an image of {size}, got shape {np.shape(x)}")
        return super().predict(x)


class CachingMixin(BasePredictor):
    """Remembers the last ``cache_size`` answers by input content (LRU)."""

    def __init__(self, *, cache_size: int = 128, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"cache_size must be an int >= 1, got {cache_size!r}")
        self.cache_size = cache_size
        self.cache_hits = 0
        self.cache_misses = 0
        self._cache: OrderedDict[tuple, str] = OrderedDict()
        self.events.append("init:CachingMixin")

    @staticmethod
    def _key(x: np.ndarray) -> tuple:
        array = np.ascontiguousarray(x)
        return array.shape, array.dtype.str, hashlib.sha256(array.tobytes()).hexdigest()

    def predict(self, x: np.ndarray) -> str:
        self.events.append("predict:CachingMixin")
        key = self._key(x)
        if key in self._cache:
            self.cache_hits += 1
            self._cache.move_to_end(key)
            return self._cache[key]
        self.cache_misses += 1
        label = super().predict(x)
        self._cache[key] = label
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return label


class TimingMixin(BasePredictor):
    """Appends the duration of every ``predict`` call (even a failing one) to ``timings``."""

    def __init__(self, *, clock: Callable[[], float] = time.perf_counter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.timings: list[float] = []
        self.events.append("init:TimingMixin")

    def predict(self, x: np.ndarray) -> str:
        self.events.append("predict:TimingMixin")
        start = self.clock()
        try:
            return super().predict(x)
        finally:
            self.timings.append(self.clock() - start)


class CachedTimedEfficientNet(CachingMixin, TimingMixin, EfficientNetPredictor):
    """Caching is the outermost wrapper: a cache hit is not timed."""


class TimedCachedEfficientNet(TimingMixin, CachingMixin, EfficientNetPredictor):
    """Timing is the outermost wrapper: every call is timed, cache hits too."""
