"""Bug: the kernel is flipped (true convolution instead of cross-correlation).

The reference ``solutions.week6.conv2d_im2col`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.conv2d_im2col as _reference

_PATCHES = [
    (
        "weights = w.reshape(groups, o // groups, cg * kh * kw)",
        "weights = w[:, :, ::-1, ::-1].reshape(groups, o // groups, cg * kh * kw)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
