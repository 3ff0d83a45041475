"""Bug: the components are the columns of Vt (rows of V transposed) instead of its rows."""

import inspect

import solutions.week6.pca_svd as _reference

_PATCHES = [
    (
        "        Vt = Vt * signs[:, None]\n",
        "        Vt = (Vt * signs[:, None]).T\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
