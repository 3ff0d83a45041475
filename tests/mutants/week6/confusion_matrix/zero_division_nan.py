"""Bug: normalisation and the report divide without a guard, giving nan for empty rows."""

import inspect

import solutions.week6.confusion_matrix as _reference

_PATCHES = [
    (
        "    return np.divide(num, den, out=np.zeros_like(num), where=np.asarray(den) > 0)",
        ('    with np.errstate(invalid="ignore", divide="ignore"):\n        return num / den'),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
