"""Bug: entropy uses the natural log instead of log2 (nats, not bits).

The reference ``solutions.week6.decision_stump`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.decision_stump as _reference

_PATCHES = [
    (
        "logs = np.log2(np.where(p > 0, p, 1.0))",
        "logs = np.log(np.where(p > 0, p, 1.0))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
