"""Bug: step_lr decays continuously: gamma ** (step / step_size).

The reference ``solutions.week6.lr_schedules`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.lr_schedules as _reference

_PATCHES = [
    (
        "return base_lr * gamma ** (step // step_size)",
        "return base_lr * gamma ** (step / step_size)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
