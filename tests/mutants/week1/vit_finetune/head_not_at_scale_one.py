"""Bug: off by one: the head gets layer_decay times the base rate instead of the base rate.

The reference ``rxvision.training.layer_decay`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.training.layer_decay as _reference

_PATCHES = [
    (
        "scale = layer_decay ** (depth + 1 - layer)",
        "scale = layer_decay ** (depth + 2 - layer)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
