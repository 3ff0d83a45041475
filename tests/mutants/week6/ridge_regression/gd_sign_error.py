"""Bug: gradient descent steps along +gradient (ascent) on the residual term."""

import inspect

import solutions.week6.ridge_regression as _reference

_PATCHES = [
    (
        "        grad = 2.0 * (Xc.T @ (Xc @ coef - yc) + alpha * coef) / n",
        "        grad = 2.0 * (Xc.T @ (yc - Xc @ coef) + alpha * coef) / n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
