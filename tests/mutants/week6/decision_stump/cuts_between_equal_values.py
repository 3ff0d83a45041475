"""Bug: cuts are allowed between equal values (even in constant features).

The reference ``solutions.week6.decision_stump`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.decision_stump as _reference

_PATCHES = [
    (
        "gain = np.where(xs[1:] > xs[:-1], parent - weighted, -np.inf)",
        "gain = parent - weighted",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
