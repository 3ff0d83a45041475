"""Bug: rows are divided by their norm without a guard: zero rows give nan."""

import inspect

import solutions.week6.pairwise_distances as _reference

_PATCHES = [
    (
        "    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)",
        "    return X / norms",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
