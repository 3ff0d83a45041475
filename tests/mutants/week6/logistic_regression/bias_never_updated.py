"""Bug: fit updates the weights but never the bias."""

import inspect

import solutions.week6.logistic_regression as _reference

_PATCHES = [
    (
        "self.intercept_ = self.intercept_ - self.lr * grad_b",
        "self.intercept_ = 0.0",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
