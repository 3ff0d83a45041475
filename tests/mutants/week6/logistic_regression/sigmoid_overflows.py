"""Bug: sigmoid is exp(z) / (1 + exp(z)) for every z, which is inf / inf = nan for large z."""

import inspect

import solutions.week6.logistic_regression as _reference

_PATCHES = [
    (
        (
            "    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows\n"
            "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
        ),
        ("    e = np.exp(z)\n    return e / (1.0 + e)"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
