"""Bug: the A-Res key is u ** w instead of u ** (1 / w) (heavy items get small keys)."""

import inspect

import solutions.week6.reservoir_sampling as _reference

_PATCHES = [
    (
        "        key = rng.random() ** (1.0 / weight)",
        "        key = rng.random() ** weight",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
