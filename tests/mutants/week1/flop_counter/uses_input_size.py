"""Bug: Charges each conv with its INPUT size, ignoring stride (a stride-2 conv costs 4x too much).

The reference ``rxvision.models.profiling`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.profiling as _reference

_PATCHES = [
    (
        'counts["Conv2d"] += conv2d_flops(module, tuple(output.shape))',
        'counts["Conv2d"] += conv2d_flops(module, (*output.shape[:2], *inputs[0].shape[2:]))',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
