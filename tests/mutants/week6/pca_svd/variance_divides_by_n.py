"""Bug: explained variance is S**2 / n instead of S**2 / (n - 1)."""

import inspect

import solutions.week6.pca_svd as _reference

_PATCHES = [
    (
        "        variance = S**2 / (n - 1)",
        "        variance = S**2 / n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
