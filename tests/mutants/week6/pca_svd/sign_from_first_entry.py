"""Bug: the sign is fixed by the first entry of each component, not the largest in magnitude."""

import inspect

import solutions.week6.pca_svd as _reference

_PATCHES = [
    (
        "        biggest = np.abs(Vt).argmax(axis=1)",
        "        biggest = np.zeros(len(Vt), dtype=int)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
