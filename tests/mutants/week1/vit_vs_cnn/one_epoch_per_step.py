"""Bug: n_steps counted as passes over the training set (epochs) instead of optimiser steps."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        "passes = math.ceil(n_steps * batch_size / n)",
        "passes = n_steps",
    ),
    (
        "return list(order[: n_steps * batch_size].split(batch_size))",
        "return list(order.split(batch_size))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
