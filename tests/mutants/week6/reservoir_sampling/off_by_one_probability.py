"""Bug: item i replaces a slot with probability k / i instead of k / (i + 1)."""

import inspect

import solutions.week6.reservoir_sampling as _reference

_PATCHES = [
    (
        "            j = rng.randrange(i + 1)",
        "            j = rng.randrange(i)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
