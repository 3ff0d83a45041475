"""Bug: the training pipeline converts to float without scaling (values 0..255).

The reference ``rxvision.training.augment`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.augment as _reference

_PATCHES = [
    (
        (
            "            v2.ToDtype(torch.float32, scale=True),\n"
            "            v2.RandomApply([v2.GaussianNoise"
        ),
        ("            v2.ToDtype(torch.float32),\n            v2.RandomApply([v2.GaussianNoise"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
