"""Bug: Adds one FLOP per output element for the bias, unlike the FlopCounterMode convention.

The reference ``rxvision.models.profiling`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.profiling as _reference

_PATCHES = [
    (
        "return 2 * n * c_out * h_out * w_out * macs_per_output",
        "return n * c_out * h_out * w_out * (2 * macs_per_output + (conv.bias is not None))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
