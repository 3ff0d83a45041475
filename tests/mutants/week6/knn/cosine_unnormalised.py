"""Bug: the cosine metric uses 1 - a.b without normalising the vectors."""

import inspect

import solutions.week6.knn as _reference

_PATCHES = [
    (
        "        return np.clip(1.0 - qu @ xu.T, 0.0, 2.0)",
        "        return 1.0 - Q @ X.T",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
