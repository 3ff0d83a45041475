"""Bug: the backward pass applies the mask but not the 1 / (1 - p) scale.

The reference ``solutions.week6.dropout`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.dropout as _reference

_PATCHES = [
    (
        "return np.where(mask, grad_out / (1.0 - p), 0.0)",
        "return np.where(mask, grad_out, 0.0)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
