"""Bug: one-cycle anneals back to max_lr / 25, forgetting final_div_factor.

The reference ``solutions.week6.lr_schedules`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.lr_schedules as _reference

_PATCHES = [
    (
        "final_lr = initial_lr / 1e4",
        "final_lr = initial_lr",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
