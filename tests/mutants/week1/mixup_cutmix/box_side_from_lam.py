"""Bug: the box side is lam times the image side, not sqrt(1 - lam)."""

import inspect

import rxvision.training.mixup as _reference

_PATCHES = [
    (
        "ratio = float(np.sqrt(1.0 - lam))",
        "ratio = float(lam)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
