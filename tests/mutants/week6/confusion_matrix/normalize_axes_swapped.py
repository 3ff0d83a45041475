"""Bug: normalize='true' divides columns and 'pred' divides rows."""

import inspect

import solutions.week6.confusion_matrix as _reference

_PATCHES = [
    (
        '    if normalize == "true":',
        '    if normalize == "pred":',
    ),
    (
        ('    if normalize == "pred":\n        return _safe_divide(cm, cm.sum(axis=0'),
        ('    if normalize == "true":\n        return _safe_divide(cm, cm.sum(axis=0'),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
