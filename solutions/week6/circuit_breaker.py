"""Reference solution of ``week6.circuit_breaker``: retries with full jitter, a circuit breaker."""

from __future__ import annotations

import functools
import inspect
import random
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["CircuitBreaker", "CircuitOpenError", "retry"]

T = TypeVar("T")


def retry(
    fn: Callable[[], T],
    attempts: int = 3,
    base: float = 0.1,
    cap: float = 10.0,
    retry_on: tuple[type[BaseException], ...] = (Exception,),
    sleep: Callable[[float], object] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """Call ``fn`` until it succeeds, at most ``attempts`` times, sleeping with full jitter."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    rng = rng if rng is not None else random.Random()
    for attempt in range(attempts):
        try:
            return fn()
        except retry_on:
            if attempt == attempts - 1:
                raise
            sleep(rng.uniform(0, min(cap, base * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover


class CircuitOpenError(RuntimeError):
    """Raised instead of calling the protected function while the circuit is open."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"circuit open: retry in {retry_after:.3g} s")
        self.retry_after = retry_after


class CircuitBreaker:
    """Fail fast while a dependency is down; probe it with one trial call after a pause."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold}")
        if reset_timeout < 0:
            raise ValueError(f"reset_timeout must not be negative, got {reset_timeout}")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None  # None: closed
        self._trial_running = False

    @property
    def state(self) -> str:
        """``"closed"``, ``"open"`` or ``"half_open"`` (open and ``reset_timeout`` elapsed)."""
        with self._lock:
            return self._state(self.clock())

    def _state(self, now: float) -> str:
        if self._opened_at is None:
            return self.CLOSED
        if now - self._opened_at >= self.reset_timeout:
            return self.HALF_OPEN
        return self.OPEN

    def _before(self) -> bool:
        """Admit a call or raise CircuitOpenError; True when the call is the half-open trial."""
        with self._lock:
            now = self.clock()
            state = self._state(now)
            if state == self.CLOSED:
                return False
            if state == self.OPEN:
                assert self._opened_at is not None
                raise CircuitOpenError(self._opened_at + self.reset_timeout - now)
            if self._trial_running:
                raise CircuitOpenError(0.0)
            self._trial_running = True
            return True

    def _success(self, trial: bool) -> None:
        with self._lock:
            if trial:
                self._trial_running = False
            if trial or self._opened_at is None:
                self._failures = 0
                self._opened_at = None

    def _failure(self, trial: bool) -> None:
        with self._lock:
            if trial:
                self._trial_running = False
                self._opened_at = self.clock()
                return
            if self._opened_at is not None:
                return  # opened meanwhile by another caller
            self._failures += 1
            if self._failures >= self.failure_threshold:
                self._opened_at = self.clock()

    def _interrupted(self, trial: bool) -> None:
        if trial:
            with self._lock:
                self._trial_running = False

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn(*args, **kwargs)`` through the breaker."""
        trial = self._before()
        try:
            result = fn(*args, **kwargs)
        except Exception:
            self._failure(trial)
            raise
        except BaseException:
            self._interrupted(trial)
            raise
        self._success(trial)
        return result

    async def call_async(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Await ``fn(*args, **kwargs)`` through the breaker."""
        trial = self._before()
        try:
            result = await fn(*args, **kwargs)
        except Exception:
            self._failure(trial)
            raise
        except BaseException:
            self._interrupted(trial)
            raise
        self._success(trial)
        return result

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorate a sync or async function so that every call goes through the breaker."""
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                return await self.call_async(fn, *args, **kwargs)

            return async_wrapper

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return self.call(fn, *args, **kwargs)

        return wrapper
