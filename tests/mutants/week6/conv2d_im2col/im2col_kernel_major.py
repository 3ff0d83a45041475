"""Bug: im2col orders rows kernel-position-major (u, v, c) instead of (c, u, v).

The reference ``solutions.week6.conv2d_im2col`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.conv2d_im2col as _reference

_PATCHES = [
    (
        ("return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, out_h * out_w)"),
        ("return windows.transpose(0, 4, 5, 1, 2, 3).reshape(n, c * kh * kw, out_h * out_w)"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
