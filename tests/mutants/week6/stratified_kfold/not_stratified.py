"""Bug: plain k-fold: the indices are split into k parts without looking at the classes."""

import inspect

import solutions.week6.stratified_kfold as _reference

_PATCHES = [
    (
        "        fold_of = _fold_of_samples(codes, k, rng)",
        "        fold_of = _fold_of_samples(np.zeros_like(codes), k, rng)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
