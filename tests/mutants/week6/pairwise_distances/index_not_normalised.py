"""Bug: top-k ranks by the dot product with unnormalised index rows (long vectors win)."""

import inspect

import solutions.week6.pairwise_distances as _reference

_PATCHES = [
    (
        "    unit_index = _unit_rows(X)",
        "    unit_index = X",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
