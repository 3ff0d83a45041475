"""Bug: no clamp after total_steps: the cosine comes back up instead of staying at the floor."""

import inspect

import rxvision.training.optim as _reference

_PATCHES = [
    (
        "    if step >= total_steps:\n        return floor\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
