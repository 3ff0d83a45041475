"""Bug: the gradient uses the plain one-hot target even when label smoothing is on."""

import inspect

import solutions.week6.softmax_cross_entropy as _reference

_PATCHES = [
    (
        ("    logits, target = _targets(logits, labels, label_smoothing)\n    return (softmax"),
        ("    logits, target = _targets(logits, labels, 0.0)\n    return (softmax"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
