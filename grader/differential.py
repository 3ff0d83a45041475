"""Differential judging: run the learner's callable and the reference's on the same inputs.

Both calls must agree on the *outcome*: the same value (compared with tolerances that follow from
the numerics, so a textbook-correct alternative passes), or the same exception type raised at
call time. A generator or iterator returned where the reference raised counts as disagreement:
the spec says when an error is raised, and "later, when iterated" is not "when called".

Tests get the reference module from the ``reference`` fixture (always the solution, whatever
``--target`` says) and draw inputs with Hypothesis, including the degenerate cases on purpose::

    from grader import differential as diff

    @given(x=diff.float_arrays(min_dims=1, max_dims=2))
    def test_softmax_agrees_with_the_reference(impl, reference, x):
        diff.assert_same(impl.softmax, reference.softmax, x, rtol=1e-9)

The plugin loads a Hypothesis profile for graded runs: derandomized (the same examples on every
run, so a grade is reproducible), no deadline (timings are not behaviour), and function-scoped
fixtures allowed (``impl`` is one).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Outcome",
    "assert_same",
    "call",
    "describe",
    "float_arrays",
    "probe",
    "python_lines",
    "same",
]

_MAX_REPR = 300


@dataclass(frozen=True)
class Outcome:
    """What one call did: returned ``value``, or raised ``error``."""

    value: Any = None
    error: BaseException | None = None

    @property
    def raised(self) -> bool:
        return self.error is not None


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
    """Call ``fn`` and capture its outcome (``KeyboardInterrupt`` and ``SystemExit`` propagate)."""
    try:
        return Outcome(value=fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
        return Outcome(error=exc)


def describe(value: Any) -> str:
    """A short, learner-readable repr (arrays show shape, dtype and a few values)."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, threshold=12, precision=6, separator=", ")
        return f"array(shape={value.shape}, dtype={value.dtype}, {body})"[:_MAX_REPR]
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"[:_MAX_REPR]
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def same(
    got: Any, want: Any, *, rtol: float = 1e-7, atol: float = 0.0, path: str = "result"
) -> str | None:
    """``None`` when ``got`` matches ``want``, else a sentence saying where and how they differ.

    Numbers and arrays are compared with ``|got - want| <= atol + rtol * |want|`` (NaN equals NaN,
    infinities must match exactly); array shapes must be equal and dtypes of the same kind (a
    float64 answer to a float32 reference is fine, an int answer to a float one is not). Tuples,
    lists, dicts and dataclasses are compared element by element; anything else with ``==``.
    """
    if isinstance(want, np.ndarray) or isinstance(got, np.ndarray):
        return _same_array(got, want, rtol=rtol, atol=atol, path=path)
    if isinstance(want, bool) or isinstance(got, bool):
        return None if got == want and type(got) is type(want) else _differ(path, got, want)
    if isinstance(want, (int, float, np.number)) and isinstance(got, (int, float, np.number)):
        if isinstance(want, (int, np.integer)) and not isinstance(got, (int, np.integer)):
            return f"{path}: expected an integer {want!r}, got {got!r}"
        return _same_array(np.asarray(got), np.asarray(want), rtol=rtol, atol=atol, path=path)
    if dataclasses.is_dataclass(want) and not isinstance(want, type):
        if type(got) is not type(want):
            return f"{path}: expected a {type(want).__name__}, got {describe(got)}"
        for f in dataclasses.fields(want):
            found = same(
                getattr(got, f.name), getattr(want, f.name), rtol=rtol, atol=atol,
                path=f"{path}.{f.name}",
            )  # fmt: skip
            if found:
                return found
        return None
    if isinstance(want, Mapping):
        if not isinstance(got, Mapping):
            return f"{path}: expected a mapping, got {describe(got)}"
        if set(got) != set(want):
            missing, extra = (
                sorted(map(str, set(want) - set(got))),
                sorted(map(str, set(got) - set(want))),
            )
            return f"{path}: keys differ (missing {missing}, unexpected {extra})"
        for key in want:
            found = same(got[key], want[key], rtol=rtol, atol=atol, path=f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(want, (list, tuple)):
        if not isinstance(got, (list, tuple)) or type(got) is not type(want):
            return f"{path}: expected a {type(want).__name__}, got {describe(got)}"
        if len(got) != len(want):
            return f"{path}: expected {len(want)} items, got {len(got)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            found = same(g, w, rtol=rtol, atol=atol, path=f"{path}[{i}]")
            if found:
                return found
        return None
    try:
        equal = bool(got == want)
    except Exception:  # noqa: BLE001 - an uncomparable answer differs
        equal = False
    return None if equal else _differ(path, got, want)


def _differ(path: str, got: Any, want: Any) -> str:
    return f"{path}: expected {describe(want)}, got {describe(got)}"


def _same_array(got: Any, want: Any, *, rtol: float, atol: float, path: str) -> str | None:
    if not isinstance(got, np.ndarray):
        return f"{path}: expected an array, got {describe(got)}"
    want = np.asarray(want)
    if got.shape != want.shape:
        return f"{path}: expected shape {want.shape}, got {got.shape}"
    kinds = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}
    if kinds.get(got.dtype.kind, got.dtype.kind) != kinds.get(want.dtype.kind, want.dtype.kind):
        return f"{path}: expected dtype {want.dtype}, got {got.dtype}"
    if want.dtype.kind not in "fc":
        if np.array_equal(got, want):
            return None
        bad = np.argwhere(got != want)
        where = tuple(int(i) for i in bad[0]) if bad.size else ()
        return (
            f"{path}: differs at {where or 'the value'}: expected {describe(want[where])}, "
            f"got {describe(got[where])}"
        )
    g, w = got.astype(np.complex128 if want.dtype.kind == "c" else np.float64), want
    w = w.astype(g.dtype)
    nan_ok = np.isnan(g) == np.isnan(w)
    inf_ok = np.where(np.isinf(w) | np.isinf(g), g == w, True)
    finite = np.isfinite(w) & np.isfinite(g)
    close = np.where(finite, np.abs(g - w) <= atol + rtol * np.abs(w), True)
    ok = nan_ok & inf_ok & close
    if ok.all():
        return None
    where = tuple(int(i) for i in np.argwhere(~ok)[0])
    scalar = complex if w.dtype.kind == "c" else float
    gv, wv = scalar(g[where] if where else g), scalar(w[where] if where else w)
    return (
        f"{path}: differs at {where or 'the value'}: expected {wv!r}, got {gv!r} "
        f"(rtol={rtol:g}, atol={atol:g})"
    )


def assert_same(
    learner: Callable[..., Any],
    reference: Callable[..., Any],
    *args: Any,
    rtol: float = 1e-7,
    atol: float = 0.0,
    compare: Callable[[Any, Any], str | None] | None = None,
    **kwargs: Any,
) -> Any:
    """Call both with the same (deep-copied) arguments and fail unless the outcomes agree.

    Returns the reference's value. ``compare(got, want)`` replaces the value comparison (return a
    message when they differ) for specs with several right answers: compare the invariant the
    spec promises. Arguments are copied for each call, so an implementation that mutates its
    input cannot change what the other one sees; the caller's objects are not touched either.
    Both calls start from the same global random state (``random``, NumPy's and torch's), so an
    implementation that draws as the reference does gets the same numbers. The learner's
    callable runs first: a stub that has not started ends the test before the reference runs.

    Raises:
        AssertionError: with a learner-facing message naming the call and the difference.
    """
    import copy

    name = getattr(learner, "__qualname__", getattr(learner, "__name__", "the function"))
    shown = ", ".join(
        [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    )
    state = _random_state()
    got = call(learner, *copy.deepcopy(args), **copy.deepcopy(kwargs))
    if isinstance(got.error, NotImplementedError):
        raise got.error  # the learner has not started: "not started", and the reference not run
    _set_random_state(state)
    want = call(reference, *copy.deepcopy(args), **copy.deepcopy(kwargs))
    where = f"{name}({shown})"
    if want.raised:
        if not got.raised:
            raise AssertionError(
                f"{where} should raise {type(want.error).__name__} ({want.error}) when called, "
                f"but returned {describe(got.value)}"
            )
        if not isinstance(got.error, type(want.error)):
            raise AssertionError(
                f"{where} should raise {type(want.error).__name__}, but raised "
                f"{describe(got.error)}"
            )
        return None
    if got.raised:
        raise AssertionError(
            f"{where} raised {describe(got.error)}; the reference returns {describe(want.value)}"
        ) from got.error
    problem = (compare or (lambda g, w: same(g, w, rtol=rtol, atol=atol)))(got.value, want.value)
    if problem:
        raise AssertionError(f"{where}: {problem}")
    return want.value


def _random_state() -> tuple:
    """The global random states (``random``, NumPy's, torch's when imported), to give both calls
    of :func:`assert_same` the same draws."""
    import random

    torch = sys.modules.get("torch")
    return (
        random.getstate(),
        np.random.get_state(),
        torch.random.get_rng_state() if torch is not None else None,
    )


def _set_random_state(state: tuple) -> None:
    import random

    python, numpy, torch_state = state
    random.setstate(python)
    np.random.set_state(numpy)
    torch = sys.modules.get("torch")
    if torch is not None and torch_state is not None:
        torch.random.set_rng_state(torch_state)


def probe(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call the learner's ``fn`` once on small, cheap inputs before a test builds something
    expensive (a trained model, timm's network, a data set), so that an untouched stub is
    reported "not started" at once instead of after the build.

    Only ``NotImplementedError`` escapes. Anything else the call does (a result, another
    exception) is ignored: the test itself judges the function on its real inputs. The global
    random states (``random``, NumPy's, torch's) are restored afterwards, so the test draws
    exactly what it would have drawn without the probe.
    """
    state = _random_state()
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001 - judged by the test itself, on its real inputs
        pass
    finally:
        _set_random_state(state)


def float_arrays(
    *,
    min_dims: int = 1,
    max_dims: int = 2,
    min_side: int = 0,
    max_side: int = 6,
    dtype: type = np.float64,
    magnitude: float = 1e3,
    allow_nan: bool = False,
) -> Any:
    """A Hypothesis strategy of float arrays that deliberately includes the degenerate cases:
    empty and single-element arrays, constant arrays, duplicated rows, zeros, ties, and values
    near ``magnitude`` (set ``magnitude`` to a few hundred to exercise overflow in ``exp``)."""
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    shapes = hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )
    elements = st.floats(-magnitude, magnitude, allow_nan=allow_nan, allow_infinity=False, width=64)
    ties = st.sampled_from([0.0, 1.0, -1.0, magnitude, -magnitude])
    general = hnp.arrays(dtype, shapes, elements=elements)
    constant = shapes.flatmap(lambda s: ties.map(lambda v: np.full(s, v, dtype=dtype)))
    few_values = hnp.arrays(dtype, shapes, elements=ties)
    return st.one_of(general, constant, few_values)


def python_lines(fn: Callable[[], Any]) -> int:
    """How many Python lines run during ``fn()``: an operation count, not a timing.

    Vectorisation clauses ("no Python loop over the elements") are judged by comparing the count
    at two input sizes: NumPy's and torch's C loops count nothing, a Python loop counts per
    element.
    """
    count = 0

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return local

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: local)
    try:
        fn()
    finally:
        sys.settrace(previous)
    return count
