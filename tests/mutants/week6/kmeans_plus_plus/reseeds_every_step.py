"""Bug: every Lloyd iteration re-runs k-means++ instead of moving centroids to the means."""

import inspect

import solutions.week6.kmeans_plus_plus as _reference

_PATCHES = [
    (
        (
            "    if init is None:\n"
            "        C = kmeans_plus_plus_init(X, k, np.random.default_rng(seed))"
        ),
        (
            "    rng = np.random.default_rng(seed)\n"
            "    if init is None:\n"
            "        C = kmeans_plus_plus_init(X, k, rng)"
        ),
    ),
    (
        "        C = _update(X, labels, C)",
        "        C = kmeans_plus_plus_init(X, k, rng)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
