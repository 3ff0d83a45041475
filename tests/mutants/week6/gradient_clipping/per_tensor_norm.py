"""Bug: each tensor is clipped by its own norm instead of the global norm.

The reference ``solutions.week6.gradient_clipping`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.gradient_clipping as _reference

_PATCHES = [
    (
        (
            "    total = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))"
            ") for g in grads))\n"
            "    scale = min(1.0, max_norm / (total + 1e-6))\n"
            "    return [g * np.asarray(scale, dtype=g.dtype) for g in grads], total\n"
        ),
        (
            "    total = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))"
            ") for g in grads))\n"
            "    out = []\n"
            "    for g in grads:\n"
            "        scale = min(1.0, max_norm / (float(np.linalg.norm(g)) + 1e-6))\n"
            "        out.append(g * np.asarray(scale, dtype=g.dtype))\n"
            "    return out, total\n"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
