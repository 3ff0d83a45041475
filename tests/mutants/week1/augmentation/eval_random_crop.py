"""Bug: the evaluation pipeline uses RandomResizedCrop, so test predictions are random.

The reference ``rxvision.training.augment`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.augment as _reference

_PATCHES = [
    (
        "            v2.Resize((size, size), antialias=True),",
        "            v2.RandomResizedCrop(size, scale=(0.8, 1.0), antialias=True),",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
