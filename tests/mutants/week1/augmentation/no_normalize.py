"""Bug: neither pipeline normalises with MEAN and STD (values stay in [0, 1]).

The reference ``rxvision.training.augment`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.augment as _reference

_PATCHES = [
    (
        "            v2.Normalize(mean=list(mean), std=list(std)),\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
