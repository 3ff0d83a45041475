"""Bug: top-k sorts the k winners by index instead of by similarity."""

import inspect

import solutions.week6.pairwise_distances as _reference

_PATCHES = [
    (
        '        order = np.argsort(-part_sim, axis=1, kind="stable")',
        "        order = np.argsort(part, axis=1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
