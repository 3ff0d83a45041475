"""Bug: the report's support counts predictions (column sums) instead of true samples."""

import inspect

import solutions.week6.confusion_matrix as _reference

_PATCHES = [
    (
        ("    support = cm.sum(axis=1)\n    predicted = cm.sum(axis=0)"),
        ("    support = cm.sum(axis=0)\n    predicted = cm.sum(axis=0)"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
