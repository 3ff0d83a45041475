"""Bug: dtype is applied to every tensor, so int64 labels and bool masks become floats.

The reference ``rxvision.utils.device`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.utils.device as _reference

_PATCHES = [
    (
        "cast = dtype if dtype is not None and obj.is_floating_point() else None",
        "cast = dtype",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
