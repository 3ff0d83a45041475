"""Bug: the output size rounds up (ceil) instead of down.

The reference ``solutions.week6.conv2d_im2col`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.conv2d_im2col as _reference

_PATCHES = [
    (
        "return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1",
        "return -(-(size + 2 * padding - dilation * (kernel - 1) - 1) // stride) + 1",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
