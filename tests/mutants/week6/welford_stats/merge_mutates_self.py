"""Bug: merge folds other into self and returns self instead of a new summary."""

import inspect

import solutions.week6.welford_stats as _reference

_PATCHES = [
    (
        ("        out = RunningStats()\n        out._absorb(self._n, self._mean, self._m2)\n"),
        "        out = self\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
