"""Bug: weighted averaging gives every class the same weight."""

import inspect

import solutions.week6.classification_metrics as _reference

_PATCHES = [
    (
        'support / support.sum() if average == "weighted" else',
        "support / support.sum() if False else",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
