"""Bug: Ignores groups: a depthwise conv is charged as if it saw every input channel.

The reference ``rxvision.models.profiling`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.profiling as _reference

_PATCHES = [
    (
        "macs_per_output = conv.in_channels // conv.groups * k_h * k_w",
        "macs_per_output = conv.in_channels * k_h * k_w",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
