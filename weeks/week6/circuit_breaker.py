"""Drill (30 min): retries with capped exponential backoff and full jitter, and a circuit breaker.

The prompt
----------
RxVision25 calls dependencies that fail: the model registry, the feature store, Redis. Write the
two classic defences, both testable without real time (the clock and the sleep are injected).

1. ``retry(fn, attempts, base, cap, retry_on, sleep, rng)``: call ``fn()`` (no arguments) until
   it returns, at most ``attempts`` times in total, and return its result. [#retry-calls] When a
   call raises an exception that is an instance of ``retry_on`` and attempts remain, sleep, then
   try again. [#retry-on] The sleep before retry
   number ``k`` (``k = 0`` for the first retry) is *full jitter*::

       sleep(rng.uniform(0, min(cap, base * 2 ** k)))

   exactly one ``rng.uniform`` call and one ``sleep`` call per retry, nothing else.
   [#full-jitter] Never sleep after the last attempt. [#no-final-sleep] An exception that is not
   in ``retry_on`` propagates at once (a 404 or a validation error will not fix itself).
   [#not-retried] When every attempt failed, re-raise the last exception itself (not a
   wrapper). [#reraise-last] ``attempts < 1`` raises ``ValueError``. [#attempts-range]
   ``rng=None`` means a fresh ``random.Random()``. [#rng-default]

2. ``CircuitBreaker(failure_threshold, reset_timeout, clock)`` with three states:

   - ``"closed"``: calls go through. Every exception (an ``Exception`` subclass) raised by the
     function counts as a failure and is re-raised; a success resets the count. [#closed] When
     ``failure_threshold`` *consecutive* failures are reached, the circuit opens and records
     ``opened_at = clock()``. [#opens]
   - ``"open"``: while ``clock() - opened_at < reset_timeout``, every call raises
     :class:`CircuitOpenError` at once, *without* calling the function, with
     ``retry_after = opened_at + reset_timeout - clock()``. [#open-fails-fast] A clock that goes
     backwards is taken at its word: the difference may be negative, the circuit stays open.
     [#clock-backwards]
   - ``"half_open"``: once ``reset_timeout`` has elapsed, exactly one call (the *trial*) goes
     through; calls made while the trial is still running raise ``CircuitOpenError`` with
     ``retry_after = 0.0``. [#one-trial] A successful trial closes the circuit (count reset); a
     failed trial re-opens it with ``opened_at = clock()`` at the time of that failure.
     [#trial-outcome]

   ``breaker.state`` reports the state at ``clock()`` now (so it reads ``"half_open"`` as soon
   as the timeout has elapsed, before any call). [#state] A ``BaseException`` that is not an
   ``Exception`` (``asyncio.CancelledError``, ``KeyboardInterrupt``) is neither a success nor a
   failure: it propagates, the count is unchanged, [#interrupted] and if it interrupted the
   trial, the trial slot is freed so the next call becomes the trial. [#trial-interrupted]

   Use it three ways: ``breaker.call(fn, *args, **kwargs)``,
   ``await breaker.call_async(async_fn, *args, **kwargs)``, and as a decorator ``@breaker`` on a
   plain *or* an ``async def`` function (the decorated async function must still be an
   ``async def`` function: check with ``inspect.iscoroutinefunction``; keep the name and
   docstring with ``functools.wraps``). [#three-ways] Callers in several threads share one
   breaker: guard the state with a ``threading.Lock``, but never hold it while the protected
   function runs. [#lock]

Example::

    >>> now = [0.0]
    >>> breaker = CircuitBreaker(failure_threshold=2, reset_timeout=10.0, clock=lambda: now[0])
    >>> for _ in range(2):
    ...     try:
    ...         breaker.call(int, "not a number")
    ...     except ValueError:
    ...         pass
    >>> breaker.state
    'open'
    >>> now[0] = 10.0
    >>> breaker.state
    'half_open'
    >>> breaker.call(int, "42"), breaker.state
    (42, 'closed')

Given (do not change): :class:`CircuitOpenError` and the parameter checks.
"""

from __future__ import annotations

import random
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
    """Call ``fn`` until it succeeds, at most ``attempts`` times, sleeping with full jitter.

    Args:
        fn: the operation, called with no arguments.
        attempts: the most calls of ``fn`` in total (the first call included).
        base: the first retry's delay bound in seconds; the bound doubles at every retry.
        cap: the largest delay bound in seconds.
        retry_on: exception types worth retrying; any other exception propagates at once.
        sleep: called with each delay in seconds (the grader passes a recorder).
        rng: source of the jitter (``rng.uniform(0, bound)``); None means ``random.Random()``.

    Returns:
        What ``fn`` returned on its first success.

    Raises:
        ValueError: ``attempts < 1``.
        Exception: the last exception of ``fn`` when every attempt failed, or the first
            exception that is not an instance of ``retry_on``.
    """
    # TODO: a for loop over range(attempts) around try/except retry_on
    raise NotImplementedError("retry: write the retry loop with full-jitter sleeps")


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
        """Create a closed breaker.

        Args:
            failure_threshold: consecutive failures that open the circuit.
            reset_timeout: seconds the circuit stays open before the half-open trial.
            clock: returns the current time in seconds (the grader passes a fake clock).

        Raises:
            ValueError: ``failure_threshold < 1`` or ``reset_timeout < 0``. [#params]
        """
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold}")
        if reset_timeout < 0:
            raise ValueError(f"reset_timeout must not be negative, got {reset_timeout}")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        # TODO: a threading.Lock, the failure count, opened_at, whether a trial is running
        raise NotImplementedError("CircuitBreaker.__init__: add the breaker's state and a lock")

    @property
    def state(self) -> str:
        """``"closed"``, ``"open"`` or ``"half_open"`` (open and ``reset_timeout`` elapsed)."""
        # TODO
        raise NotImplementedError("CircuitBreaker.state")

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn(*args, **kwargs)`` through the breaker.

        Returns:
            What ``fn`` returned.

        Raises:
            CircuitOpenError: the circuit is open, or half-open with the trial running.
            Exception: whatever ``fn`` raised (after counting it as a failure).
        """
        # TODO: admit or reject under the lock, call fn outside it, then record the outcome
        raise NotImplementedError("CircuitBreaker.call")

    async def call_async(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Await ``fn(*args, **kwargs)`` through the breaker (same rules as :meth:`call`)."""
        # TODO
        raise NotImplementedError("CircuitBreaker.call_async")

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorate a sync or async function so that every call goes through the breaker.

        Returns:
            A function with ``fn``'s name and docstring; an ``async def`` function when ``fn``
            is one.
        """
        # TODO: inspect.iscoroutinefunction(fn) picks an async or a sync wrapper
        raise NotImplementedError("CircuitBreaker.__call__")
