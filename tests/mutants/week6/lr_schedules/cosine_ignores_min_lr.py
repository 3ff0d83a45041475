"""Bug: the cosine decays to 0 and adds min_lr on top.

The reference ``solutions.week6.lr_schedules`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.lr_schedules as _reference

_PATCHES = [
    (
        ("return min_lr + (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress)) / 2.0"),
        "return min_lr + base_lr * (1.0 + math.cos(math.pi * progress)) / 2.0",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
