"""Bug: macro averaging pools the counts (that is micro averaging)."""

import inspect

import solutions.week6.classification_metrics as _reference

_PATCHES = [
    (
        '    if average == "micro":',
        '    if average in ("micro", "macro"):',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
