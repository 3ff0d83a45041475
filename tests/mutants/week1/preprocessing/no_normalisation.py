"""Bug: The crop is returned in [0, 1] without subtracting mean and dividing by std.

The reference ``rxvision.data.preprocess`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.data.preprocess as _reference

_PATCHES = [
    (
        "    return ((x - m) / s).contiguous(), box",
        "    return x.contiguous(), box",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
