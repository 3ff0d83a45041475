"""Bug: max_norm / total_norm without the 1e-6: all-zero gradients divide by zero.

The reference ``solutions.week6.gradient_clipping`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.gradient_clipping as _reference

_PATCHES = [
    (
        "scale = min(1.0, max_norm / (total + 1e-6))",
        "scale = min(1.0, max_norm / total)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
