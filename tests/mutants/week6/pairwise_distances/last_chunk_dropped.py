"""Bug: the chunk loop stops before the last, partial chunk of queries."""

import inspect

import solutions.week6.pairwise_distances as _reference

_PATCHES = [
    (
        "    for start in range(0, Q.shape[0], chunk):",
        "    for start in range(0, Q.shape[0] - chunk + 1, chunk):",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
