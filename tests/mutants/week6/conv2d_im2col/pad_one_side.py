"""Bug: all the padding goes after the input (bottom/right) instead of both sides.

The reference ``solutions.week6.conv2d_im2col`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.conv2d_im2col as _reference

_PATCHES = [
    (
        ("padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))\n    span"),
        ("padded = np.pad(x, ((0, 0), (0, 0), (0, 2 * ph), (0, 2 * pw)))\n    span"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
