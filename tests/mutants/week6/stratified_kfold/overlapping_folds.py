"""Bug: an off-by-one makes each test fold also take the first index of the next fold."""

import inspect

import solutions.week6.stratified_kfold as _reference

_PATCHES = [
    (
        "np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)",
        "np.flatnonzero(fold_of != f), np.flatnonzero((fold_of == f) | (np.roll(fold_of, 1) == f))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
