"""Drill (30 min): Singleton, Factory and Observer in an ML service.

Three patterns every ML platform uses, in the RxVision serving code.

**1. Factory: a model registry** (how ``timm.create_model`` works).
``ModelRegistry`` maps names to constructor functions:

- ``register(name)`` returns a decorator: ``@registry.register("efficientnet_b0")`` records the
  decorated function under ``name`` and returns it *unchanged* (it stays callable directly).
  [#register] A name must be a non-empty ``str`` (else ``ValueError``, raised by ``register``
  itself). [#register-name] Registering a name twice raises ``ValueError`` naming it (and keeps
  the first). [#register-duplicate]
- ``create(name, **kwargs)`` calls that constructor with ``kwargs`` and returns its result.
  [#create] An unknown name raises ``UnknownModelError`` (a ``LookupError``) whose message
  contains the name asked for and **every** known name, sorted, so the caller can fix a typo.
  [#unknown]
- ``list_models(pattern="*")``: the registered names matching the shell-style pattern
  (``fnmatch``), sorted. [#list-models] ``name in registry`` and ``len(registry)`` work too.
  [#registry-container]

``MODELS`` is the default registry. Register the four given constructors ``efficientnet_b0`` ..
``efficientnet_b3`` in it under their own names, with the decorator. [#default-registry]

**2. Singleton: one instance per process, created lazily, thread-safe.**

- ``SingletonMeta``: a metaclass. ``class ModelCache(metaclass=SingletonMeta)`` makes every
  ``ModelCache()`` call return the same object, built on the first call (with its arguments).
  [#singleton] Each class using the metaclass (subclasses too) has its own instance.
  [#per-class] When many threads make the first call at the same moment, ``__init__`` must
  still run exactly once: double-checked locking (check, lock, check again, build).
  [#thread-safe] Use a *re-entrant* lock (``threading.RLock``) or one lock per class, so that
  one singleton's ``__init__`` may create another singleton without deadlocking. [#reentrant]
  ``Cls.reset()`` forgets the class's instance (tests use it). [#reset]
- ``ModelCache``: ``get_or_load(name, loader)`` returns the cached model, calling ``loader()``
  only if ``name`` is not cached [#get-or-load]; concurrent first calls for a name call
  ``loader`` **once** (hold a lock while loading). [#load-once] ``invalidate(name) -> bool``
  drops it (True if it was cached). [#invalidate] ``name in cache`` and ``len(cache)`` work.
  [#cache-container]
- The Pythonic alternative: ``get_settings()`` decorated with ``@functools.cache`` returns the
  same ``Settings`` (given, frozen) every time, built on the first call with
  ``model_dir = os.environ.get("RXVISION_MODEL_DIR", "models")``. [#settings]
  (``functools.cache`` may call the function twice if two threads race on the very first call:
  harmless for an immutable ``Settings``, not for a 2 GB model, which is why ``ModelCache``
  needs the lock.)

**3. Observer: ``ModelEvents``**, a publish/subscribe hub (e.g. ``"model_promoted"``, whose
payload is the model name: ``events.subscribe("model_promoted", cache.invalidate)``).

- ``subscribe(event, callback) -> unsubscribe``: ``callback(payload)`` will be called on each
  ``publish(event, payload)``. [#subscribe] The hub holds callbacks through **weak references**
  (``weakref.WeakMethod`` for bound methods, ``weakref.ref`` for functions), so subscribing never
  keeps a component alive: once it is garbage-collected it is silently dropped. (Keep a
  reference to your callback: an inline ``lambda`` dies at once.) [#weak] The returned function
  removes this subscription (True if it was still there; a later subscription of the same
  callback, after an unsubscribe, is another one) and must not hold the callback strongly
  either. [#unsubscriber] Subscribing the same callback to the same event again is a no-op (it
  returns a function that removes the existing subscription). [#subscribe-twice]
- ``unsubscribe(event, callback) -> bool``: True if it was subscribed. [#unsubscribe]
- ``publish(event, payload=None) -> list[Exception]``: calls the live subscribers of ``event``
  **in subscription order**. [#publish-order] A subscriber that raises does not stop the others:
  catch ``Exception``, log it with ``logging.getLogger(__name__).exception(...)``, go on, and
  return the exceptions caught (``[]`` if none). [#publish-errors] Changes made *during* a
  publish: a subscriber removed before its turn is not called; one added is first called on the
  next publish; a subscriber that removes itself does not make the hub skip the next one.
  [#publish-changes]
- ``subscriber_count(event)``: the live subscribers (collected ones do not count).
  [#subscriber-count]

Example::

    >>> reg = ModelRegistry()
    >>> @reg.register("tiny")
    ... def tiny(num_classes: int = 10) -> ModelSpec:
    ...     return ModelSpec("tiny", 0.5, 0.5, 64, num_classes)
    >>> reg.create("tiny", num_classes=3).num_classes
    3
    >>> reg.create("tiny2")
    Traceback (most recent call last):
    UnknownModelError: unknown model 'tiny2'; known models: tiny. Did you mean 'tiny'?
    >>> ModelCache() is ModelCache()
    True
"""

from __future__ import annotations

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

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


# -- Factory -----------------------------------------------------------------------------------
class UnknownModelError(LookupError):
    """``create`` was asked for a name nobody registered. (Given.)"""


class ModelRegistry:
    """Model constructors by name, filled by a decorator (timm's ``register_model``)."""

    def __init__(self) -> None:
        self._constructors: dict[str, Callable[..., Any]] = {}  # given

    def register(self, name: str) -> Callable[[F], F]:
        """``@registry.register("name")``: record the constructor and return it unchanged.

        Raises:
            ValueError: ``name`` is not a non-empty string (at once), or is already taken
                (when the decorator is applied).
        """
        # TODO: validate, then return a decorator
        raise NotImplementedError

    def create(self, name: str, **kwargs: Any) -> Any:
        """Call the constructor registered as ``name`` with ``kwargs``.

        Raises:
            UnknownModelError: no such name; the message lists every known name.
        """
        # TODO
        raise NotImplementedError

    def list_models(self, pattern: str = "*") -> list[str]:
        """Registered names matching the shell-style ``pattern``, sorted."""
        # TODO: fnmatch
        raise NotImplementedError

    def __contains__(self, name: object) -> bool:
        # TODO
        raise NotImplementedError

    def __len__(self) -> int:
        # TODO
        raise NotImplementedError


@dataclass(frozen=True)
class ModelSpec:
    """What a constructor returns here: the compound-scaling recipe of a model. (Given.)"""

    arch: str
    width_mult: float
    depth_mult: float
    resolution: int
    num_classes: int = 1000


MODELS = ModelRegistry()


# TODO: register each constructor below in MODELS under its own name, with the decorator
def efficientnet_b0(num_classes: int = 1000) -> ModelSpec:
    return ModelSpec("efficientnet", 1.0, 1.0, 224, num_classes)


def efficientnet_b1(num_classes: int = 1000) -> ModelSpec:
    return ModelSpec("efficientnet", 1.0, 1.1, 240, num_classes)


def efficientnet_b2(num_classes: int = 1000) -> ModelSpec:
    return ModelSpec("efficientnet", 1.1, 1.2, 260, num_classes)


def efficientnet_b3(num_classes: int = 1000) -> ModelSpec:
    return ModelSpec("efficientnet", 1.2, 1.4, 300, num_classes)


# -- Singleton ---------------------------------------------------------------------------------
class SingletonMeta(type):
    """Metaclass: each class using it has one instance, created lazily and thread-safely."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        """The class's only instance; the first call builds it with ``args``/``kwargs``."""
        # TODO: double-checked locking; super().__call__(*args, **kwargs) builds the object
        raise NotImplementedError

    def reset(cls) -> None:
        """Forget this class's instance; the next call builds a new one."""
        # TODO
        raise NotImplementedError


class ModelCache(metaclass=SingletonMeta):
    """The process-wide cache of loaded models (one per process, shared by all requests)."""

    def __init__(self) -> None:
        # TODO: a dict and a lock
        raise NotImplementedError

    def get_or_load(self, name: str, loader: Callable[[], T]) -> T:
        """The cached model ``name``; ``loader()`` is called once, even by racing threads."""
        # TODO
        raise NotImplementedError

    def invalidate(self, name: str) -> bool:
        """Drop ``name``; True if it was cached."""
        # TODO
        raise NotImplementedError

    def __contains__(self, name: object) -> bool:
        # TODO
        raise NotImplementedError

    def __len__(self) -> int:
        # TODO
        raise NotImplementedError


@dataclass(frozen=True)
class Settings:
    """Immutable service settings. (Given.)"""

    model_dir: str = "models"
    default_model: str = "efficientnet_b0"


def get_settings() -> Settings:
    """The Settings, built on first use from ``RXVISION_MODEL_DIR`` (default ``"models"``)."""
    # TODO: decorate with @functools.cache
    raise NotImplementedError


# -- Observer ----------------------------------------------------------------------------------
class ModelEvents:
    """A publish/subscribe hub that holds its subscribers through weak references."""

    def __init__(self) -> None:
        # TODO: event -> list of weak references, in subscription order (a WeakSet has no order)
        raise NotImplementedError

    def subscribe(self, event: str, callback: Callable[[Any], Any]) -> Callable[[], bool]:
        """Subscribe ``callback`` to ``event``; return a function that unsubscribes it."""
        # TODO
        raise NotImplementedError

    def unsubscribe(self, event: str, callback: Callable[[Any], Any]) -> bool:
        """Remove ``callback`` from ``event``; True if it was subscribed."""
        # TODO
        raise NotImplementedError

    def publish(self, event: str, payload: Any = None) -> list[Exception]:
        """Call the live subscribers in subscription order; log and return their exceptions."""
        # TODO
        raise NotImplementedError

    def subscriber_count(self, event: str) -> int:
        """Live subscribers of ``event``."""
        # TODO
        raise NotImplementedError
