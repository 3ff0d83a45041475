"""Bug: fit accepts k larger than the training set."""

import inspect

import solutions.week6.knn as _reference

_PATCHES = [
    (
        "        if not 1 <= self.k <= X.shape[0]:",
        "        if self.k < 1:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
