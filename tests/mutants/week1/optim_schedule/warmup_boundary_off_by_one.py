"""Bug: the warm-up runs one step too long (step <= warmup_steps), overshooting 1."""

import inspect

import rxvision.training.optim as _reference

_PATCHES = [
    (
        "if step < warmup_steps:",
        "if step <= warmup_steps:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
