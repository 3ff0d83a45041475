"""Bug: the paired version resamples a and b with independent index arrays."""

import inspect

import solutions.week6.bootstrap_ci as _reference

_PATCHES = [
    (
        "statistic(a[idx], axis=1) - statistic(b[idx], axis=1)",
        "statistic(a[idx], axis=1) - statistic(b[rng.permuted(idx, axis=0)], axis=1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
