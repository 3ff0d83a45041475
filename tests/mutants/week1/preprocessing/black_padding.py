"""Bug: The part of the square crop outside the image is padded with black.

The reference ``rxvision.data.preprocess`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.data.preprocess as _reference

_PATCHES = [
    (
        '    canvas = Image.new("RGB", (side, side), fill)',
        '    canvas = Image.new("RGB", (side, side), (0, 0, 0))',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
