"""Bug: acc_field reports the studio accuracy (the field split is never evaluated)."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        '"acc_field": accuracy["field"]',
        '"acc_field": accuracy["studio"]',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
