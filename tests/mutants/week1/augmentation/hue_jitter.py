"""Bug: ColorJitter also shifts the hue, which turns one medication's colour into another's.

The reference ``rxvision.training.augment`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.augment as _reference

_PATCHES = [
    (
        "saturation=0.15, hue=0.0)",
        "saturation=0.15, hue=0.1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
