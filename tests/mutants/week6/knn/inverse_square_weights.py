"""Bug: distance weights are 1 / d^2 although kneighbors returns d."""

import inspect

import solutions.week6.knn as _reference

_PATCHES = [
    (
        "exact * 1.0, 1.0 / dist)",
        "exact * 1.0, 1.0 / dist**2)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
