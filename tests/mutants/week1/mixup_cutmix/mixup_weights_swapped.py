"""Bug: MixUp blends the images with (1 - lam, lam) but the labels with (lam, 1 - lam)."""

import inspect

import rxvision.training.mixup as _reference

_PATCHES = [
    (
        "mixed = lam * images + (1 - lam) * images[perm]",
        "mixed = (1 - lam) * images + lam * images[perm]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
