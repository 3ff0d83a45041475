"""Bug: the cosine decays to 0, ignoring the floor (which only applies after the end)."""

import inspect

import rxvision.training.optim as _reference

_PATCHES = [
    (
        "return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))",
        "return 0.5 * (1 + math.cos(math.pi * progress))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
