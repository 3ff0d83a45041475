"""Bug: the groups argument is ignored, so one pill's photos land in several folds."""

import inspect

import solutions.week6.stratified_kfold as _reference

_PATCHES = [
    (
        "    if groups is None:",
        "    if True:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
