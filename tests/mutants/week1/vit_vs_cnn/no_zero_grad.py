"""Bug: the optimiser step never zeroes the gradients, so they accumulate across steps."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        "        optimizer.zero_grad()\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
