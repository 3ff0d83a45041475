"""Bug: weights are scaled by the max instead of to mean 1.

The reference ``solutions.week6.alias_sampling`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.alias_sampling as _reference

_PATCHES = [
    (
        "scaled = (w * (n / w.sum())).tolist()",
        "scaled = (w / w.max()).tolist()",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
