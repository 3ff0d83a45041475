"""Bug: squared_distances returns the raw expansion, slightly negative after rounding."""

import inspect

import solutions.week6.kmeans_plus_plus as _reference

_PATCHES = [
    (
        "    return np.maximum(d2, 0.0)",
        "    return d2",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
