"""Bug: rows hash with Python's hash(), which is salted per process for strings."""

import inspect

import solutions.week6.top_k_frequent as _reference

_PATCHES = [
    (
        '        h = int.from_bytes(digest, "little") % _PRIME',
        "        h = hash(item) % _PRIME",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
