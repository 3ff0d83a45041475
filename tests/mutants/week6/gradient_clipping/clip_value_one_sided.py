"""Bug: clip_grad_value only clips large positive values.

The reference ``solutions.week6.gradient_clipping`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.gradient_clipping as _reference

_PATCHES = [
    (
        "np.clip(np.asarray(g), -clip_value, clip_value)",
        "np.minimum(np.asarray(g), clip_value)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
