"""Bug: The box uses the last pixel as right/bottom (inclusive) instead of one past it.

The reference ``rxvision.data.preprocess`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.data.preprocess as _reference

_PATCHES = [
    (
        "    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1",
        "    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
