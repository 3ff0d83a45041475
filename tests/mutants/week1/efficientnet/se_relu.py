"""Bug: Squeeze-excitation uses ReLU between its two convs instead of SiLU.

The reference ``rxvision.models.efficientnet`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.efficientnet as _reference

_PATCHES = [
    (
        "self.act1 = nn.SiLU(inplace=True)",
        "self.act1 = nn.ReLU(inplace=True)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
