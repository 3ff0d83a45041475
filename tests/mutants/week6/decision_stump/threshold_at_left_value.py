"""Bug: the threshold is the left value of the cut, not the midpoint.

The reference ``solutions.week6.decision_stump`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.decision_stump as _reference

_PATCHES = [
    (
        "best = Split(feature, float((xs[i] + xs[i + 1]) / 2.0), float(gain[i]))",
        "best = Split(feature, float(xs[i]), float(gain[i]))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
