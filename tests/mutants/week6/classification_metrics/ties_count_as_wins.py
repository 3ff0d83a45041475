"""Bug: AUC counts a tied (positive, negative) pair as a win instead of one half."""

import inspect

import solutions.week6.classification_metrics as _reference

_PATCHES = [
    (
        "    average = (starts + ends + 1) / 2.0  # mean of the 1-based ranks start+1 .. end",
        "    average = ends.astype(np.float64)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
