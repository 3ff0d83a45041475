"""Bug: the normal equations are solved with np.linalg.inv(XᵀX + alpha I) @ Xᵀy."""

import inspect

import solutions.week6.ridge_regression as _reference

_PATCHES = [
    (
        "    coef = np.linalg.lstsq(A, b, rcond=None)[0]",
        "    coef = np.linalg.inv(Xc.T @ Xc + alpha * np.eye(d)) @ Xc.T @ yc",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
