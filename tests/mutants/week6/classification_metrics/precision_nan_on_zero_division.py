"""Bug: 0/0 gives nan instead of zero_division."""

import inspect

import solutions.week6.classification_metrics as _reference

_PATCHES = [
    (
        (
            "    out = np.full(np.broadcast(num, den).shape, float(zero_division))\n"
            "    np.divide(num, den, out=out, where=den > 0)\n"
            "    return out"
        ),
        ('    with np.errstate(invalid="ignore", divide="ignore"):\n        return num / den'),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
