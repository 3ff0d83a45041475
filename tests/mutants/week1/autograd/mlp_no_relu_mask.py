"""Bug: the manual backward passes the gradient through relu everywhere (no z1 > 0 mask).

The reference ``solutions.week1.autograd`` with text replaced (old -> new), run in this module.
"""

import inspect

import solutions.week1.autograd as _reference

_PATCHES = [
    (
        "d_z1 = d_h * (z1 > 0)",
        "d_z1 = d_h",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
