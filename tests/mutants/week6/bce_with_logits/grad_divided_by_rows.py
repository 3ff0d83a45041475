"""Bug: the gradient is divided by the number of rows instead of the number of elements."""

import inspect

import solutions.week6.bce_with_logits as _reference

_PATCHES = [
    (
        "    return grad / x.size",
        "    return grad / x.shape[0]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
