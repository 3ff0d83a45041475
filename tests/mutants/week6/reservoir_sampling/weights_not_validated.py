"""Bug: non-positive weights are not rejected with ValueError."""

import inspect

import solutions.week6.reservoir_sampling as _reference

_PATCHES = [
    (
        "        if not weight > 0:",
        "        if False:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
