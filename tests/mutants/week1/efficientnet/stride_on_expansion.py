"""Bug: The stride is applied by the 1x1 expansion conv instead of the depthwise conv.

The reference ``rxvision.models.efficientnet`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.efficientnet as _reference

_PATCHES = [
    (
        "self.conv_pw = _conv(in_chs, mid_chs, 1)",
        "self.conv_pw = _conv(in_chs, mid_chs, 1, stride)",
    ),
    (
        "self.conv_dw = _conv(mid_chs, mid_chs, kernel_size, stride, groups=mid_chs)",
        "self.conv_dw = _conv(mid_chs, mid_chs, kernel_size, 1, groups=mid_chs)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
