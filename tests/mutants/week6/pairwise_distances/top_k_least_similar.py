"""Bug: argpartition is applied to the similarity instead of its negative (k least similar)."""

import inspect

import solutions.week6.pairwise_distances as _reference

_PATCHES = [
    (
        "        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]",
        "        part = np.argpartition(sim, k - 1, axis=1)[:, :k]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
