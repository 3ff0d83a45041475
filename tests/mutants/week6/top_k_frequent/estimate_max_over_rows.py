"""Bug: the estimate is the maximum over the rows instead of the minimum."""

import inspect

import solutions.week6.top_k_frequent as _reference

_PATCHES = [
    (
        "        return int(self._table[np.arange(self.depth), self._columns(item)].min())",
        "        return int(self._table[np.arange(self.depth), self._columns(item)].max())",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
