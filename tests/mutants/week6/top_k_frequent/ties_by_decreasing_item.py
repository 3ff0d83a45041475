"""Bug: equal counts are ordered by decreasing item (sorted by (count, item), reversed)."""

import inspect

import solutions.week6.top_k_frequent as _reference

_PATCHES = [
    (
        "    return heapq.nsmallest(k, counts.items(), key=lambda kv: (-kv[1], kv[0]))",
        "    return heapq.nlargest(k, counts.items(), key=lambda kv: (kv[1], kv[0]))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
