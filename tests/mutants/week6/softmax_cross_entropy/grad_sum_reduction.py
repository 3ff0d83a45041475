"""Bug: the gradient is not divided by N (it is the gradient of the summed loss)."""

import inspect

import solutions.week6.softmax_cross_entropy as _reference

_PATCHES = [
    (
        "    return (softmax(logits, axis=1) - target) / logits.shape[0]",
        "    return softmax(logits, axis=1) - target",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
