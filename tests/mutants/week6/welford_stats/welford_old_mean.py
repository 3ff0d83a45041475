"""Bug: Welford's step multiplies delta by (x - old mean), i.e. adds delta**2 to M2."""

import inspect

import solutions.week6.welford_stats as _reference

_PATCHES = [
    (
        (
            "            self._mean += delta / self._n\n"
            "            self._m2 += delta * (value - self._mean)"
        ),
        (
            "            self._m2 += delta * (value - self._mean)\n"
            "            self._mean += delta / self._n"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
