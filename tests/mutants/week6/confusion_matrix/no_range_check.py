"""Bug: labels outside [0, n_classes) are not rejected and land in the wrong cell."""

import inspect

import solutions.week6.confusion_matrix as _reference

_PATCHES = [
    (
        "        if a.size and (a.min() < 0 or a.max() >= n_classes):",
        "        if False:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
