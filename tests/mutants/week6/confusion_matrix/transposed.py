"""Bug: rows are predictions and columns are the truth (pred * n + true)."""

import inspect

import solutions.week6.confusion_matrix as _reference

_PATCHES = [
    (
        "    cm = np.bincount(t * n + p, minlength=n * n).reshape(n, n)",
        "    cm = np.bincount(p * n + t, minlength=n * n).reshape(n, n)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
