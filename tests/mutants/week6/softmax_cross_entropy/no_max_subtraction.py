"""Bug: softmax and log_softmax exponentiate x without subtracting the maximum (overflow at 1e4)."""

import inspect

import solutions.week6.softmax_cross_entropy as _reference

_PATCHES = [
    (
        "x - x.max(axis=axis, keepdims=True)",
        "x",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
