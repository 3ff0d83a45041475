"""Bug: the weight gradient is the sum over samples instead of the mean."""

import inspect

import solutions.week6.logistic_regression as _reference

_PATCHES = [
    (
        "grad_w = X.T @ residual / X.shape[0] + self.l2 * self.coef_",
        "grad_w = X.T @ residual + self.l2 * self.coef_",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
