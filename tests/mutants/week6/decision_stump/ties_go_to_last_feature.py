"""Bug: on equal gains a later feature replaces an earlier one.

The reference ``solutions.week6.decision_stump`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.decision_stump as _reference

_PATCHES = [
    (
        "(best is None or gain[i] > best.gain)",
        "(best is None or gain[i] >= best.gain)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
