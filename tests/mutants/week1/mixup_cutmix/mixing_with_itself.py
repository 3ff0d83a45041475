"""Bug: no permutation: each sample is mixed with itself (perm = arange)."""

import inspect

import rxvision.training.mixup as _reference

_PATCHES = [
    (
        "perm = torch.from_numpy(rng.permutation(len(images)))\n    mixed = lam",
        "perm = torch.arange(len(images))\n    mixed = lam",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
