"""Bug: the heavy-hitters tracker keeps the first k items it sees and never evicts one."""

import inspect

import solutions.week6.top_k_frequent as _reference

_PATCHES = [
    (
        "        if estimate > self._candidates[weakest]:",
        "        if False:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
