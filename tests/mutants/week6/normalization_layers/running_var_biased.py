"""Bug: the running variance is updated with the biased batch variance.

The reference ``solutions.week6.normalization_layers`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.normalization_layers as _reference

_PATCHES = [
    (
        "var * m / (m - 1)",
        "var",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
