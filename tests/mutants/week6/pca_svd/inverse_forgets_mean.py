"""Bug: inverse_transform does not add the mean back."""

import inspect

import solutions.week6.pca_svd as _reference

_PATCHES = [
    (
        "        return np.asarray(Z, dtype=np.float64) @ self.components_ + self.mean_",
        "        return np.asarray(Z, dtype=np.float64) @ self.components_",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
