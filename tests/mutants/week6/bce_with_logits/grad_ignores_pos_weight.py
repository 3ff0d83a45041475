"""Bug: the gradient is sigmoid(x) - y whatever pos_weight is."""

import inspect

import solutions.week6.bce_with_logits as _reference

_PATCHES = [
    (
        "    grad = sigmoid(x) * (p * y + 1.0 - y) - p * y",
        "    grad = sigmoid(x) - y",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
