"""Bug: No closing: imprint and score line split the pill and the largest piece is only part of it.

The reference ``rxvision.data.preprocess`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.data.preprocess as _reference

_PATCHES = [
    (
        "    mask = ndimage.binary_closing(mask, iterations=2)\n"
        "    mask = ndimage.binary_fill_holes(mask)\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
