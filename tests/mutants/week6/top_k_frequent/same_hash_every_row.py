"""Bug: every row uses the same hash function, so depth rows are as good as one."""

import inspect

import solutions.week6.top_k_frequent as _reference

_PATCHES = [
    (
        (
            "        self._a = [rng.randrange(1, _PRIME) for _ in range(depth)]\n"
            "        self._b = [rng.randrange(0, _PRIME) for _ in range(depth)]"
        ),
        (
            "        self._a = [rng.randrange(1, _PRIME)] * depth\n"
            "        self._b = [rng.randrange(0, _PRIME)] * depth"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
