"""Bug: round_repeats truncates (floor) instead of rounding up.

The reference ``rxvision.models.efficientnet`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.efficientnet as _reference

_PATCHES = [
    (
        "return int(math.ceil(repeats * depth_mult))",
        "return int(repeats * depth_mult)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
