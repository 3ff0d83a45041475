"""Bug: an empty cluster's centroid becomes the mean of no points (nan)."""

import inspect

import solutions.week6.kmeans_plus_plus as _reference

_PATCHES = [
    (
        "    new[filled] = sums[filled] / counts[filled, None]",
        ('    with np.errstate(invalid="ignore"):\n        new = sums / counts[:, None]'),
    ),
    (
        "    empty = np.flatnonzero(~filled)",
        "    empty = np.flatnonzero([])",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
