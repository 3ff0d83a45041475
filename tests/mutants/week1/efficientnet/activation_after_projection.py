"""Bug: SiLU after the 1x1 projection (the bottleneck should be linear).

The reference ``rxvision.models.efficientnet`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.efficientnet as _reference

_PATCHES = [
    (
        "self.bn3 = BatchNormAct2d(out_chs, apply_act=False)",
        "self.bn3 = BatchNormAct2d(out_chs)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
