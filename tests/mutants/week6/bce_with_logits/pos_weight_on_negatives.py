"""Bug: pos_weight multiplies the negative term instead of the positive one."""

import inspect

import solutions.week6.bce_with_logits as _reference

_PATCHES = [
    (
        "    loss = (1.0 - y) * x + (1.0 + (p - 1.0) * y) * neg_log_sigmoid",
        "    loss = p * (1.0 - y) * (x + neg_log_sigmoid) + y * neg_log_sigmoid",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
