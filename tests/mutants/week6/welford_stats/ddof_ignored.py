"""Bug: variance always divides by count, whatever ddof is."""

import inspect

import solutions.week6.welford_stats as _reference

_PATCHES = [
    (
        "        return self._m2 / (self._n - ddof)",
        "        return self._m2 / self._n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
