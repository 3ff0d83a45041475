"""Bug: group g takes channels g, g + groups, ... instead of a contiguous block.

The reference ``solutions.week6.conv2d_im2col`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.conv2d_im2col as _reference

_PATCHES = [
    (
        "cols = cols.reshape(n, groups, cg * kh * kw, out_h * out_w)",
        (
            "cols = (\n"
            "        cols.reshape(n, cg, groups, kh * kw, out_h * out_w)\n"
            "        .transpose(0, 2, 1, 3, 4)\n"
            "        .reshape(n, groups, cg * kh * kw, out_h * out_w)\n"
            "    )"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
