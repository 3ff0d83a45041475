"""Bug: train_idx is every index, so the test fold leaks into training."""

import inspect

import solutions.week6.stratified_kfold as _reference

_PATCHES = [
    (
        "np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)",
        "np.arange(len(y)), np.flatnonzero(fold_of == f)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
