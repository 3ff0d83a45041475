"""Bug: pads with zeros instead of -inf, so padding wins for negative inputs.

The reference ``solutions.week6.max_pool`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.max_pool as _reference

_PATCHES = [
    (
        "constant_values=-np.inf",
        "constant_values=0.0",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
