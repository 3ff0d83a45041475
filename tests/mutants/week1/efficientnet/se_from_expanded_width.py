"""Bug: SE squeezes to a quarter of the expanded width (mid_chs) instead of the block input.

The reference ``rxvision.models.efficientnet`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.efficientnet as _reference

_PATCHES = [
    (
        "self.se = SqueezeExcite(mid_chs, _se_channels(in_chs, se_ratio))",
        "self.se = SqueezeExcite(mid_chs, _se_channels(mid_chs, se_ratio))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
