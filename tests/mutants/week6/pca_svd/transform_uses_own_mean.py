"""Bug: transform centres new data with its own mean instead of the training mean_."""

import inspect

import solutions.week6.pca_svd as _reference

_PATCHES = [
    (
        "        return (np.asarray(X, dtype=np.float64) - self.mean_) @ self.components_.T",
        (
            "        X = np.asarray(X, dtype=np.float64)\n"
            "        return (X - X.mean(axis=0)) @ self.components_.T"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
