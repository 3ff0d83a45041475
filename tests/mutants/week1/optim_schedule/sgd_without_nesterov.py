"""Bug: SGD is built with plain momentum (nesterov=False)."""

import inspect

import rxvision.training.optim as _reference

_PATCHES = [
    (
        "momentum=momentum, nesterov=True",
        "momentum=momentum, nesterov=False",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
