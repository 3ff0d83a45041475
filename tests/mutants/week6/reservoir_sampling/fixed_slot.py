"""Bug: an accepted item always replaces the last slot instead of the random slot j."""

import inspect

import solutions.week6.reservoir_sampling as _reference

_PATCHES = [
    (
        "                reservoir[j] = item",
        "                reservoir[-1] = item",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
