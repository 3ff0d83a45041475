"""Bug: after total_steps the cosine keeps going and rises again.

The reference ``solutions.week6.lr_schedules`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.lr_schedules as _reference

_PATCHES = [
    (
        ("    if step >= total_steps:\n        return min_lr\n"),
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
