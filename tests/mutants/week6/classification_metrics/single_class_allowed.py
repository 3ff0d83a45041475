"""Bug: the ROC functions accept a single-class y_true (0/0 instead of an error)."""

import inspect

import solutions.week6.classification_metrics as _reference

_PATCHES = [
    (
        "    if y.all() or not y.any():",
        "    if False:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
