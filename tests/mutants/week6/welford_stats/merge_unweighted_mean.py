"""Bug: merging averages the two means without weighting them by their counts."""

import inspect

import solutions.week6.welford_stats as _reference

_PATCHES = [
    (
        "        self._mean += delta * n / total",
        "        self._mean += delta * (0.5 if self._n else 1.0)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
