"""Bug: one-cycle peaks at pct_start * total_steps instead of that minus 1.

The reference ``solutions.week6.lr_schedules`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.lr_schedules as _reference

_PATCHES = [
    (
        "peak = pct_start * total_steps - 1.0",
        "peak = pct_start * total_steps",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
