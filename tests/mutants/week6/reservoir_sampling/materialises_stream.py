"""Bug: the whole stream is stored in a list and sampled with rng.sample (O(n) memory)."""

import inspect

import solutions.week6.reservoir_sampling as _reference

_PATCHES = [
    (
        ("    reservoir: list[T] = []\n    for i, item in enumerate(stream):"),
        (
            "    items = list(stream)\n"
            "    return rng.sample(items, min(k, len(items)))\n"
            "    reservoir: list[T] = []\n"
            "    for i, item in enumerate(stream):"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
