"""Bug: gradients are scaled in place (the caller's arrays change).

The reference ``solutions.week6.gradient_clipping`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.gradient_clipping as _reference

_PATCHES = [
    (
        "    return [g * np.asarray(scale, dtype=g.dtype) for g in grads], total\n",
        ("    for g in grads:\n        g *= scale\n    return grads, total\n"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
