"""Factory (a model registry), Singleton (thread-safe, lazy) and Observer (weak subscribers).

Reference solution of the drill ``week6.design_patterns`` (the prompt is the stub's docstring).
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import inspect
import logging
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "MODELS",
    "ModelCache",
    "ModelEvents",
    "ModelRegistry",
    "ModelSpec",
    "Settings",
    "SingletonMeta",
    "UnknownModelError",
    "efficientnet_b0",
    "efficientnet_b1",
    "efficientnet_b2",
    "efficientnet_b3",
    "get_settings",
]

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


# -- Factory -----------------------------------------------------------------------------------
class UnknownModelError(LookupError):
    """``create`` was asked for a name nobody registered."""


class ModelRegistry:
    """Model constructors by name, filled by a decorator (timm's ``register_model``)."""

    def __init__(self) -> None:
        self._constructors: dict[str, Callable[..., Any]] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """``@registry.register("name")``: record the constructor and return it unchanged."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"a model name must be a non-empty string, got {name!r}")

        def decorator(constructor: F) -> F:
            if name in self._constructors:
                previous = self._constructors[name]
                raise ValueError(
                    f"model {name!r} is already registered (by {previous.__qualname__}); "
                    "choose another name"
                )
            self._constructors[name] = constructor
            return constructor

        return decorator

    def create(self, name: str, **kwargs: Any) -> Any:
        """Call the constructor registered as ``name`` with ``kwargs``."""
        try:
            constructor = self._constructors[name]
        except KeyError:
            known = sorted(self._constructors)
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownModelError(
                f"unknown model {name!r}; known models: {', '.join(known) or '(none)'}.{hint}"
            ) from None
        return constructor(**kwargs)

    def list_models(self, pattern: str = "*") -> list[str]:
        """Registered names matching the shell-style ``pattern``, sorted."""
        return sorted(fnmatch.filter(self._constructors, pattern))

    def __contains__(self, name: object) -> bool:
        return name in self._constructors

    def __len__(self) -> int:
        return len(self._constructors)


@dataclass(frozen=True)
class ModelSpec:
    """What a constructor returns here: the compound-scaling recipe of a model."""

    arch: str
    width_mult: float
    depth_mult: float
    resolution: int
    num_classes: int = 1000


MODELS = ModelRegistry()


@MODELS.register("efficientnet_b0")
def efficientnet_b0(num_classes: int = 1000) -> ModelSpec:
    return ModelSpec("efficientnet", 1.0, 1.0, 224, num_classes)


@MODELS.register("efficientnet_b1")
def efficientnet_b1(num_classes: int = 1000) -> ModelSpec:
    return ModelSpec("efficientnet", 1.0, 1.1, 240, num_classes)


@MODELS.register("efficientnet_b2")
def efficientnet_b2(num_classes: int = 1000) -> ModelSpec:
    return ModelSpec("efficientnet", 1.1, 1.2, 260, num_classes)


@MODELS.register("efficientnet_b3")
def efficientnet_b3(num_classes: int = 1000) -> ModelSpec:
    return ModelSpec("efficientnet", 1.2, 1.4, 300, num_classes)


# -- Singleton ---------------------------------------------------------------------------------
class SingletonMeta(type):
    """Metaclass: each class using it has one instance, created lazily and thread-safely.

    Double-checked locking: a lock-free read for the common case, then a re-check under the
    lock. The lock is re-entrant so that one singleton's ``__init__`` may create another.
    """

    _instances: dict[type, Any] = {}
    _lock = threading.RLock()

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        instance = SingletonMeta._instances.get(cls)
        if instance is None:
            with SingletonMeta._lock:
                instance = SingletonMeta._instances.get(cls)
                if instance is None:
                    instance = super().__call__(*args, **kwargs)
                    SingletonMeta._instances[cls] = instance
        return instance

    def reset(cls) -> None:
        """Forget this class's instance (tests use this); the next call builds a new one."""
        with SingletonMeta._lock:
            SingletonMeta._instances.pop(cls, None)


class ModelCache(metaclass=SingletonMeta):
    """The process-wide cache of loaded models (one per process, shared by all requests)."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get_or_load(self, name: str, loader: Callable[[], T]) -> T:
        """The cached model ``name``, calling ``loader()`` only if it is not cached yet.

        The lock is held while loading, so concurrent first requests load once (and wait).
        """
        with self._lock:
            if name not in self._models:
                self._models[name] = loader()
            return self._models[name]

    def invalidate(self, name: str) -> bool:
        """Drop ``name`` (e.g. when a new version is promoted); True if it was cached."""
        with self._lock:
            if name not in self._models:  # (a model may be any object, even None)
                return False
            del self._models[name]
            return True

    def __contains__(self, name: object) -> bool:
        return name in self._models

    def __len__(self) -> int:
        return len(self._models)


@dataclass(frozen=True)
class Settings:
    """Immutable service settings."""

    model_dir: str = "models"
    default_model: str = "efficientnet_b0"


@functools.cache
def get_settings() -> Settings:
    """The Settings, built on first use from ``RXVISION_MODEL_DIR`` (the functools.cache way)."""
    return Settings(model_dir=os.environ.get("RXVISION_MODEL_DIR", "models"))


# -- Observer ----------------------------------------------------------------------------------
class ModelEvents:
    """A publish/subscribe hub that holds its subscribers through weak references."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[weakref.ref]] = {}

    @staticmethod
    def _ref(callback: Callable[[Any], Any]) -> weakref.ref:
        if inspect.ismethod(callback):
            return weakref.WeakMethod(callback)
        return weakref.ref(callback)

    def _find(self, event: str, callback: Callable[[Any], Any]) -> weakref.ref | None:
        for ref in self._subscribers.get(event, ()):
            if ref() == callback:
                return ref
        return None

    def subscribe(self, event: str, callback: Callable[[Any], Any]) -> Callable[[], bool]:
        """Call ``callback(payload)`` on every ``publish(event, payload)``; returns an
        ``unsubscribe()`` function. Subscribing the same callback twice is a no-op."""
        ref = self._find(event, callback)
        if ref is None:
            ref = self._ref(callback)
            self._subscribers.setdefault(event, []).append(ref)
        remover = ref

        def unsubscribe() -> bool:
            refs = self._subscribers.get(event, [])
            if any(r is remover for r in refs):
                refs[:] = [r for r in refs if r is not remover]
                return True
            return False

        return unsubscribe

    def unsubscribe(self, event: str, callback: Callable[[Any], Any]) -> bool:
        """Remove ``callback`` from ``event``; True if it was subscribed."""
        ref = self._find(event, callback)
        if ref is None:
            return False
        self._subscribers[event] = [r for r in self._subscribers[event] if r is not ref]
        return True

    def publish(self, event: str, payload: Any = None) -> list[Exception]:
        """Call the live subscribers of ``event`` in subscription order; return their errors."""
        errors: list[Exception] = []
        for ref in list(self._subscribers.get(event, ())):
            if not any(r is ref for r in self._subscribers.get(event, ())):
                continue  # unsubscribed by an earlier subscriber during this publish
            callback = ref()
            if callback is None:
                continue
            try:
                callback(payload)
            except Exception as exc:  # noqa: BLE001 - one bad subscriber must not stop the rest
                logger.exception("subscriber %r of %r failed", callback, event)
                errors.append(exc)
        self._prune(event)
        return errors

    def _prune(self, event: str) -> None:
        if event in self._subscribers:
            self._subscribers[event] = [r for r in self._subscribers[event] if r() is not None]

    def subscriber_count(self, event: str) -> int:
        """Live subscribers of ``event`` (garbage-collected ones do not count)."""
        return sum(1 for ref in self._subscribers.get(event, ()) if ref() is not None)
