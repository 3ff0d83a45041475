"""Bug: roc_curve emits a point per sample instead of per distinct score."""

import inspect

import solutions.week6.classification_metrics as _reference

_PATCHES = [
    (
        "    last_of_group = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]",
        "    last_of_group = np.arange(len(s))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
