"""Bug: k-means++ uses the distance to the last chosen centre, not to the nearest one."""

import inspect

import solutions.week6.kmeans_plus_plus as _reference

_PATCHES = [
    (
        "closest = np.minimum(closest, squared_distances(X, X[nxt][None, :])[:, 0])",
        "closest = squared_distances(X, X[nxt][None, :])[:, 0]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
