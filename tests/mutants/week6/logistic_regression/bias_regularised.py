"""Bug: the L2 penalty is also applied to the bias (gradient gets l2 * b)."""

import inspect

import solutions.week6.logistic_regression as _reference

_PATCHES = [
    (
        "grad_b = float(residual.mean())",
        "grad_b = float(residual.mean()) + self.l2 * self.intercept_",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
