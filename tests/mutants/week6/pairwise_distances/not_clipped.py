"""Bug: squared distances are not clipped at 0, so rounding makes them negative (sqrt: nan)."""

import inspect

import solutions.week6.pairwise_distances as _reference

_PATCHES = [
    (
        "    return np.maximum(d2, 0.0)",
        "    return d2",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
