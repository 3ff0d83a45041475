"""Bug: lam is drawn uniformly in [0, 1] whatever alpha is."""

import inspect

import rxvision.training.mixup as _reference

_PATCHES = [
    (
        "return float(rng.beta(alpha, alpha))",
        "return float(rng.uniform())",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
