"""Bug: merge adds the two M2 values but forgets the delta**2 * n_a * n_b / n term."""

import inspect

import solutions.week6.welford_stats as _reference

_PATCHES = [
    (
        "        self._m2 += m2 + delta * delta * self._n * n / total",
        "        self._m2 += m2",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
