"""Bug: eps is added inside the square root: sqrt(v_hat + eps).

The reference ``solutions.week6.adam`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.adam as _reference

_PATCHES = [
    (
        "np.sqrt(v_hat) + self.eps",
        "np.sqrt(v_hat + self.eps)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
